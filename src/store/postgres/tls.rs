//! TLS to a PostgreSQL server over the network (rustls: nothing to install
//! beside the Rust toolchain). A local socket needs none. Over TCP jianguan
//! asks for TLS unless the connection says `sslmode=disable`, and always
//! verifies the server's certificate and name (libpq's `verify-full`):
//! against the system's CAs, or the CA file `sslrootcert=PATH` names. A
//! server offering no TLS is used in clear unless `sslmode=require`
//! (PostgreSQL's `prefer`, the default).

use super::StoreError;
use postgres::config::{Host, SslMode};
use rustls::pki_types::CertificateDer;
use rustls::pki_types::pem::PemObject;
use std::path::Path;
use std::sync::Arc;
use tokio_postgres_rustls::MakeRustlsConnect;

/// The connection string without `sslrootcert` (which the client library
/// does not take), and the CA file it named.
pub fn split_root_cert(url: &str) -> (String, Option<String>) {
    let is_key = |p: &str| p.to_ascii_lowercase().starts_with("sslrootcert=");
    let value = |p: &str| p.split_once('=').map(|(_, v)| v.to_string());
    if let Some((head, query)) = url.split_once('?') {
        let (kept, found): (Vec<&str>, Vec<&str>) = query.split('&').partition(|p| !is_key(p));
        let url = if kept.is_empty() {
            head.to_string()
        } else {
            format!("{head}?{}", kept.join("&"))
        };
        return (
            url,
            found.last().and_then(|p| value(p)).map(|v| unescape(&v)),
        );
    }
    if url.contains("://") {
        return (url.to_string(), None);
    }
    let (kept, found): (Vec<&str>, Vec<&str>) = url.split_whitespace().partition(|p| !is_key(p));
    (kept.join(" "), found.last().and_then(|p| value(p)))
}

/// `%2F` and the like in a URL's query.
fn unescape(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = bytes
            .get(i + 1..i + 3)
            .and_then(|h| std::str::from_utf8(h).ok())
            .and_then(|h| u8::from_str_radix(h, 16).ok());
        if bytes[i] == b'%'
            && let Some(b) = hex
        {
            out.push(b);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Whether this connection goes through TLS: some host is reached over
/// TCP, and TLS was not turned off.
pub fn wanted(config: &postgres::Config) -> bool {
    config.get_ssl_mode() != SslMode::Disable
        && config.get_hosts().iter().any(|h| matches!(h, Host::Tcp(_)))
}

/// The connector: the system's CAs, and the one in `root_cert` if named.
pub fn connector(root_cert: Option<&str>) -> Result<MakeRustlsConnect, StoreError> {
    let mut roots = rustls::RootCertStore::empty();
    roots.add_parsable_certificates(rustls_native_certs::load_native_certs().certs);
    if let Some(path) = root_cert {
        let certs: Vec<CertificateDer<'static>> = CertificateDer::pem_file_iter(Path::new(path))
            .and_then(|certs| certs.collect::<Result<_, _>>())
            .map_err(|e| StoreError::Postgres {
                doing: "读取 sslrootcert 指定的 CA 证书",
                message: format!("{path}：{e}"),
            })?;
        if certs.is_empty() {
            return Err(StoreError::Postgres {
                doing: "读取 sslrootcert 指定的 CA 证书",
                message: format!("{path} 中没有 PEM 格式的证书"),
            });
        }
        let (_, ignored) = roots.add_parsable_certificates(certs);
        if ignored > 0 {
            return Err(StoreError::Postgres {
                doing: "读取 sslrootcert 指定的 CA 证书",
                message: format!("{path} 中有 {ignored} 个证书无法解析"),
            });
        }
    }
    let config = rustls::ClientConfig::builder_with_provider(Arc::new(
        rustls::crypto::ring::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .map_err(|e| StoreError::Postgres {
        doing: "准备 TLS",
        message: e.to_string(),
    })?
    .with_root_certificates(roots)
    .with_no_client_auth();
    Ok(MakeRustlsConnect::new(config))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_ca_file_is_taken_out_of_either_form() {
        assert_eq!(
            split_root_cert("postgres://op@db/jg?sslmode=require&sslrootcert=%2Fetc%2Fca.pem"),
            (
                "postgres://op@db/jg?sslmode=require".to_string(),
                Some("/etc/ca.pem".to_string())
            )
        );
        assert_eq!(
            split_root_cert("postgres://op@db/jg?sslrootcert=/ca.pem"),
            (
                "postgres://op@db/jg".to_string(),
                Some("/ca.pem".to_string())
            )
        );
        assert_eq!(
            split_root_cert("host=db dbname=jg sslrootcert=/ca.pem user=op"),
            (
                "host=db dbname=jg user=op".to_string(),
                Some("/ca.pem".to_string())
            )
        );
        assert_eq!(
            split_root_cert("postgres://op@db/jg"),
            ("postgres://op@db/jg".to_string(), None)
        );
        let tcp: postgres::Config = "host=db dbname=jg".parse().unwrap();
        let socket: postgres::Config = "host=/run/postgresql dbname=jg".parse().unwrap();
        let off: postgres::Config = "host=db dbname=jg sslmode=disable".parse().unwrap();
        assert!(wanted(&tcp));
        assert!(!wanted(&socket));
        assert!(!wanted(&off));
    }
}
