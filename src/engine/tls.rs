//! One rustls configuration for both transports (reqwest and the WebSocket
//! client would otherwise each verify against their own roots).

use std::path::Path;
use std::sync::{Arc, Mutex, OnceLock};

use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::pki_types::pem::PemObject as _;
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::{ClientConfig, DigitallySignedStruct, RootCertStore, SignatureScheme};

/// Installs ring as rustls's provider once per process; later calls do nothing.
pub fn install_provider() {
    let _ = rustls::crypto::ring::default_provider().install_default();
}

/// System roots, plus `ca_cert` when given; `insecure` accepts any certificate.
pub fn client_config(ca_cert: Option<&Path>, insecure: bool) -> Result<Arc<ClientConfig>, String> {
    install_provider();
    let provider = rustls::crypto::ring::default_provider();
    let builder = ClientConfig::builder_with_provider(Arc::new(provider.clone()))
        .with_safe_default_protocol_versions()
        .map_err(|e| format!("TLS: {e}"))?;
    let config = if insecure {
        builder
            .dangerous()
            .with_custom_certificate_verifier(Arc::new(AcceptAnything::new(provider)))
            .with_no_client_auth()
    } else if ca_cert.is_none() {
        builder.with_root_certificates(system_roots()).with_no_client_auth()
    } else {
        let roots = root_store(ca_cert)?;
        builder.with_root_certificates(roots).with_no_client_auth()
    };
    Ok(Arc::new(config))
}

/// The system's authorities, read and parsed once per process: every connection
/// shares them (100 clients of one script would otherwise hold 100 copies, and
/// read the system's bundle 100 times).
fn system_roots() -> Arc<RootCertStore> {
    static ROOTS: OnceLock<Arc<RootCertStore>> = OnceLock::new();
    ROOTS
        .get_or_init(|| {
            let mut roots = RootCertStore::empty();
            for cert in rustls_native_certs::load_native_certs().certs {
                let _ = roots.add(cert);
            }
            Arc::new(roots)
        })
        .clone()
}

/// The authorities a certificate is checked against: the system's, plus `ca_cert`.
pub fn root_store(ca_cert: Option<&Path>) -> Result<RootCertStore, String> {
    let mut roots = (*system_roots()).clone();
    if let Some(path) = ca_cert {
        let certs: Vec<CertificateDer<'static>> = CertificateDer::pem_file_iter(path)
            .map_err(|e| format!("--ca-cert {}: {e}", path.display()))?
            .collect::<Result<_, _>>()
            .map_err(|e| format!("--ca-cert {}: {e}", path.display()))?;
        if certs.is_empty() {
            return Err(format!("--ca-cert {}: no PEM certificate in the file", path.display()));
        }
        for cert in certs {
            roots
                .add(cert)
                .map_err(|e| format!("--ca-cert {}: {e}", path.display()))?;
        }
    }
    Ok(roots)
}

/// `--insecure`: accepts every certificate but still checks signatures are well
/// formed. It keeps the chain it was shown, for `sio doctor` to judge afterwards.
#[derive(Debug)]
pub struct AcceptAnything {
    provider: rustls::crypto::CryptoProvider,
    chain: Mutex<Vec<CertificateDer<'static>>>,
}

impl AcceptAnything {
    pub fn new(provider: rustls::crypto::CryptoProvider) -> AcceptAnything {
        AcceptAnything {
            provider,
            chain: Mutex::new(Vec::new()),
        }
    }

    /// The last chain the server sent: its own certificate first.
    pub fn chain(&self) -> Vec<CertificateDer<'static>> {
        self.chain.lock().map(|c| c.clone()).unwrap_or_default()
    }
}

impl ServerCertVerifier for AcceptAnything {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        _server_name: &ServerName<'_>,
        _ocsp: &[u8],
        _now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        if let Ok(mut chain) = self.chain.lock() {
            chain.clear();
            chain.push(end_entity.clone().into_owned());
            chain.extend(intermediates.iter().map(|c| c.clone().into_owned()));
        }
        Ok(ServerCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls12_signature(message, cert, dss, &self.provider.signature_verification_algorithms)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls13_signature(message, cert, dss, &self.provider.signature_verification_algorithms)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.provider.signature_verification_algorithms.supported_schemes()
    }
}
