//! HTTPS from the binary: the rustls configuration built from `server.tls_cert` and
//! `server.tls_key`, and development certificates for `emporium self-signed-cert`.
//!
//! Only the `ring` provider is compiled in. Its suites are all AEAD with ECDHE (TLS 1.3:
//! AES-GCM and ChaCha20-Poly1305; TLS 1.2: the same with ECDSA or RSA certificates), and rustls
//! has no TLS 1.0/1.1, so nothing weak needs removing. actix offers ALPN `h2` then `http/1.1`.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use rustls::ServerConfig;
use rustls::crypto::ring;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};
use rustls::version::{TLS12, TLS13};

#[derive(Debug, thiserror::Error)]
pub enum TlsError {
    #[error("cannot read {setting} {}: {source}", path.display())]
    Read {
        setting: &'static str,
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{setting} {} holds no usable PEM {what}: {reason}", path.display())]
    Pem {
        setting: &'static str,
        what: &'static str,
        path: PathBuf,
        reason: String,
    },
    #[error("the key in {} does not fit the certificate in {}: {reason}", key.display(), cert.display())]
    Mismatch {
        cert: PathBuf,
        key: PathBuf,
        reason: String,
    },
    #[error("cannot make a certificate for {host:?}: {reason}")]
    Generate { host: String, reason: String },
    #[error("cannot write {}: {source}", path.display())]
    Write {
        path: PathBuf,
        source: std::io::Error,
    },
}

fn read(setting: &'static str, path: &Path) -> Result<Vec<u8>, TlsError> {
    std::fs::read(path).map_err(|source| TlsError::Read {
        setting,
        path: path.to_path_buf(),
        source,
    })
}

/// The server's TLS configuration: TLS 1.3 and 1.2, the certificate chain and key from PEM
/// files. Every failure names the file at fault.
pub fn server_config(cert: &Path, key: &Path) -> Result<ServerConfig, TlsError> {
    let pem_error = |setting, what, path: &Path, reason: String| TlsError::Pem {
        setting,
        what,
        path: path.to_path_buf(),
        reason,
    };
    let cert_pem = read("server.tls_cert", cert)?;
    let chain = CertificateDer::pem_slice_iter(&cert_pem)
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| pem_error("server.tls_cert", "certificate", cert, e.to_string()))?;
    if chain.is_empty() {
        return Err(pem_error(
            "server.tls_cert",
            "certificate",
            cert,
            "no CERTIFICATE section".into(),
        ));
    }
    let key_pem = read("server.tls_key", key)?;
    let private = PrivateKeyDer::from_pem_slice(&key_pem)
        .map_err(|e| pem_error("server.tls_key", "private key", key, e.to_string()))?;
    let mismatch = |reason: String| TlsError::Mismatch {
        cert: cert.to_path_buf(),
        key: key.to_path_buf(),
        reason,
    };
    ServerConfig::builder_with_provider(Arc::new(ring::default_provider()))
        .with_protocol_versions(&[&TLS13, &TLS12])
        .map_err(|e| mismatch(e.to_string()))?
        .with_no_client_auth()
        .with_single_cert(chain, private)
        .map_err(|e| mismatch(e.to_string()))
}

/// A self-signed certificate for `host` (and `localhost`), as PEM (certificate, private key).
/// For development and tests only: browsers warn about it.
pub fn self_signed(host: &str) -> Result<(String, String), TlsError> {
    let mut names = vec![host.to_string()];
    if host != "localhost" {
        names.push("localhost".into());
    }
    let made = rcgen::generate_simple_self_signed(names).map_err(|e| TlsError::Generate {
        host: host.into(),
        reason: e.to_string(),
    })?;
    Ok((made.cert.pem(), made.signing_key.serialize_pem()))
}

/// Writes a self-signed pair for `host` as `cert.pem` and `key.pem` (readable by the owner
/// only) under `dir`; returns their paths.
pub fn write_self_signed(host: &str, dir: &Path) -> Result<(PathBuf, PathBuf), TlsError> {
    let (cert, key) = self_signed(host)?;
    let write_error = |path: &Path| {
        let path = path.to_path_buf();
        move |source| TlsError::Write { path, source }
    };
    std::fs::create_dir_all(dir).map_err(write_error(dir))?;
    let (cert_path, key_path) = (dir.join("cert.pem"), dir.join("key.pem"));
    std::fs::write(&cert_path, cert).map_err(write_error(&cert_path))?;
    write_private(&key_path, key.as_bytes()).map_err(write_error(&key_path))?;
    Ok((cert_path, key_path))
}

#[cfg(unix)]
fn write_private(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    use std::io::Write;
    use std::os::unix::fs::OpenOptionsExt;
    let mut f = std::fs::OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .mode(0o600)
        .open(path)?;
    f.write_all(bytes)
}

#[cfg(not(unix))]
fn write_private(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    std::fs::write(path, bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_made_pair_loads_and_a_bad_file_is_named() {
        let dir = tempfile::tempdir().unwrap();
        let (cert, key) = write_self_signed("shop.test", dir.path()).unwrap();
        server_config(&cert, &key).unwrap();
        let missing = dir.path().join("nope.pem");
        let e = server_config(&missing, &key).unwrap_err().to_string();
        assert!(
            e.contains("server.tls_cert") && e.contains("nope.pem"),
            "{e}"
        );
        let e = server_config(&cert, &cert).unwrap_err().to_string();
        assert!(
            e.contains("server.tls_key") && e.contains("cert.pem"),
            "{e}"
        );
        let e = server_config(&key, &key).unwrap_err().to_string();
        assert!(
            e.contains("server.tls_cert") && e.contains("key.pem"),
            "{e}"
        );
        // A key of another pair does not fit.
        let other = tempfile::tempdir().unwrap();
        let (_, other_key) = write_self_signed("shop.test", other.path()).unwrap();
        let e = server_config(&cert, &other_key).unwrap_err().to_string();
        assert!(e.contains("does not fit"), "{e}");
    }
}
