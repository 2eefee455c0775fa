//! The command line: one definition per flag feeds parsing, `--help` and the
//! completion scripts.

use clap::{Args, Parser, Subcommand, ValueEnum};

use crate::proto::eio::EioVersion;
use crate::proto::frame;

#[derive(Debug, Parser)]
#[command(
    name = "sio",
    version,
    about = "See every Socket.IO and Engine.IO frame as it crossed the wire",
    long_about = "sio connects to any Socket.IO server (v2, v3, v4; Node, Python, Rust…) and shows every \
                  Engine.IO and Socket.IO frame beside its decoded meaning.\n\n\
                  Exit codes: 0 success, 1 a failure (malformed frame, failed connection…), 2 usage error."
)]
pub struct Cli {
    /// When to colour output: auto colours a terminal unless NO_COLOR is set.
    #[arg(long, value_enum, default_value_t = ColorChoice::Auto, global = true)]
    pub color: ColorChoice,

    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Decode frames offline and explain them part by part.
    #[command(after_help = "Examples:\n  sio decode '42/admin,7[\"chat\",{\"text\":\"hi\"}]'\n  \
                            sio decode --payload --eio 3 '97:0{...}2:40'\n  \
                            printf '451-[\"up\",{\"_placeholder\":true,\"num\":0}]\\n' | sio decode")]
    Decode(DecodeArgs),
    /// Print a shell completion script.
    Completions {
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
}

#[derive(Debug, Args)]
pub struct DecodeArgs {
    /// Frames to decode; one per line from standard input when none are given.
    pub frames: Vec<String>,

    /// Engine.IO protocol revision (3 for Socket.IO 2.x servers).
    #[arg(long, value_enum, default_value_t = EioArg::V4)]
    pub eio: EioArg,

    /// Treat each input as a whole polling body and split it into packets first.
    #[arg(long)]
    pub payload: bool,

    /// Inputs are hex bytes (spaces allowed): a binary frame or binary body.
    #[arg(long, conflicts_with = "base64")]
    pub hex: bool,

    /// Inputs are base64 bytes: a binary frame or binary body.
    #[arg(long)]
    pub base64: bool,

    /// Socket.IO packet encoding.
    #[arg(long, value_enum, default_value_t = ParserArg::Default)]
    pub parser: ParserArg,

    /// One JSON record per line instead of the explanation.
    #[arg(long)]
    pub json: bool,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum ColorChoice {
    Auto,
    Always,
    Never,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum EioArg {
    #[value(name = "3")]
    V3,
    #[value(name = "4")]
    V4,
}

impl From<EioArg> for EioVersion {
    fn from(a: EioArg) -> EioVersion {
        match a {
            EioArg::V3 => EioVersion::V3,
            EioArg::V4 => EioVersion::V4,
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum ParserArg {
    Default,
    Msgpack,
}

impl From<ParserArg> for frame::Parser {
    fn from(a: ParserArg) -> frame::Parser {
        match a {
            ParserArg::Default => frame::Parser::Default,
            ParserArg::Msgpack => frame::Parser::Msgpack,
        }
    }
}
