//! A certificate in the words a person checks it by: who it is for, who signed
//! it, when it is valid.

use x509_parser::prelude::{FromDer as _, GeneralName, X509Certificate};

use crate::record::Timestamp;

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CertInfo {
    pub subject: String,
    pub issuer: String,
    /// Seconds since 1970.
    pub not_before: i64,
    pub not_after: i64,
    /// The DNS names and addresses in subjectAltName.
    pub names: Vec<String>,
}

impl CertInfo {
    pub fn parse(der: &[u8]) -> Result<CertInfo, String> {
        let (_, cert) = X509Certificate::from_der(der).map_err(|e| format!("unreadable certificate: {e}"))?;
        let names = cert
            .subject_alternative_name()
            .ok()
            .flatten()
            .map(|ext| {
                ext.value
                    .general_names
                    .iter()
                    .filter_map(|n| match n {
                        GeneralName::DNSName(d) => Some(d.to_string()),
                        GeneralName::IPAddress(ip) => Some(ip_text(ip)),
                        _ => None,
                    })
                    .collect()
            })
            .unwrap_or_default();
        Ok(CertInfo {
            subject: name_or_dash(&cert.subject().to_string()),
            issuer: name_or_dash(&cert.issuer().to_string()),
            not_before: cert.validity().not_before.timestamp(),
            not_after: cert.validity().not_after.timestamp(),
            names,
        })
    }

    pub fn self_signed(&self) -> bool {
        self.subject == self.issuer
    }

    /// `subject CN=localhost (localhost, 127.0.0.1), issuer CN=Test CA, valid 2026-01-01 to 2027-01-01`
    pub fn line(&self) -> String {
        let names = if self.names.is_empty() {
            String::new()
        } else {
            format!(" (names: {})", self.names.join(", "))
        };
        format!(
            "subject {}{names}, issuer {}, valid {} to {}",
            self.subject,
            self.issuer,
            date(self.not_before),
            date(self.not_after)
        )
    }
}

fn name_or_dash(name: &str) -> String {
    if name.trim().is_empty() {
        "(empty)".into()
    } else {
        name.to_string()
    }
}

fn ip_text(bytes: &[u8]) -> String {
    match bytes.len() {
        4 => std::net::Ipv4Addr::new(bytes[0], bytes[1], bytes[2], bytes[3]).to_string(),
        16 => {
            let mut octets = [0u8; 16];
            octets.copy_from_slice(bytes);
            std::net::Ipv6Addr::from(octets).to_string()
        }
        _ => format!("{bytes:02x?}"),
    }
}

/// `2027-01-01` for seconds since 1970.
pub fn date(secs: i64) -> String {
    let micros = u64::try_from(secs).unwrap_or(0).saturating_mul(1_000_000);
    Timestamp { micros }.to_string().chars().take(10).collect()
}
