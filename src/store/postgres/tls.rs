//! TLS to a team database on another machine (issue 31). The URL's `sslmode` and `sslrootcert`
//! mean what they mean to libpq and `psql`, so the address a team's administrator hands out
//! works in both:
//!
//! | `sslmode` | encrypted | the server's certificate |
//! | --- | --- | --- |
//! | `disable` | never | |
//! | `allow`, `prefer` (the default) | when the server offers it | not checked (checked against `sslrootcert=PATH` when given, as libpq does) |
//! | `require` | always, or no connection | as `prefer` |
//! | `verify-ca` | always | signed by an authority of `sslrootcert` (the computer's own by default) |
//! | `verify-full` | always | as `verify-ca`, and issued for the host in the URL |
//!
//! `sslrootcert=system` is libpq 16's: the computer's own authorities, with `verify-full` as the
//! default and any weaker mode refused (anyone can get a public certificate for a name they
//! own). Without `sslrootcert` the `verify-*` modes trust the computer's authorities too, where
//! libpq would look for `~/.postgresql/root.crt`: a seat has no such file unless someone puts it
//! there, and `sslrootcert=PATH` names it plainly. `allow` connects as `prefer` does (the client
//! cannot try a plain connection first); it succeeds wherever `allow` would, encrypted where it can.
//! With `prefer`, a server that offers TLS but whose handshake then fails is an error here, where
//! libpq would try again in the clear: a failed handshake is worth a look, not a silent downgrade.
//!
//! A server that asks each seat for a certificate of its own (libpq's `sslcert=PATH&sslkey=PATH`,
//! PEM; a key others may read is refused, as libpq refuses it) gets it; there is no default
//! file, as for `sslrootcert`, and no passphrase-protected key (`sslpassword`).
//!
//! The `postgres` crate knows only `disable`, `prefer` and `require`: the TLS settings are
//! taken out of the URL here, the rest is left to it, and the certificate checks are rustls
//! verifiers chosen by the mode.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use percent_encoding::percent_decode_str;
use postgres::Client;
use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::client::WebPkiServerVerifier;
use rustls::crypto::CryptoProvider;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer, ServerName, UnixTime};
use rustls::{
    CertificateError, ClientConfig, DigitallySignedStruct, RootCertStore, SignatureScheme,
};
use tokio_postgres_rustls::MakeRustlsConnect;

use super::StoreError;

/// libpq's `sslmode`, whose names it keeps.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum SslMode {
    Disable,
    Allow,
    Prefer,
    Require,
    VerifyCa,
    VerifyFull,
}

impl SslMode {
    fn parse(value: &str) -> Option<SslMode> {
        Some(match value {
            "disable" => SslMode::Disable,
            "allow" => SslMode::Allow,
            "prefer" => SslMode::Prefer,
            "require" => SslMode::Require,
            "verify-ca" => SslMode::VerifyCa,
            "verify-full" => SslMode::VerifyFull,
            _ => return None,
        })
    }

    fn name(self) -> &'static str {
        match self {
            SslMode::Disable => "disable",
            SslMode::Allow => "allow",
            SslMode::Prefer => "prefer",
            SslMode::Require => "require",
            SslMode::VerifyCa => "verify-ca",
            SslMode::VerifyFull => "verify-full",
        }
    }

    /// The `postgres` crate's own `sslmode`: whether TLS is tried, and whether it is a must.
    fn for_client(self) -> &'static str {
        match self {
            SslMode::Disable => "disable",
            SslMode::Allow | SslMode::Prefer => "prefer",
            SslMode::Require | SslMode::VerifyCa | SslMode::VerifyFull => "require",
        }
    }
}

/// The authorities a server's certificate is checked against.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Roots {
    /// The computer's own trusted authorities (`sslrootcert=system`, or no `sslrootcert`).
    System,
    /// A PEM file of one or more authorities (`sslrootcert=PATH`).
    File(PathBuf),
}

/// What a team database's URL asks of TLS, and the URL left for the `postgres` crate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct TlsRequest {
    pub mode: SslMode,
    /// `sslrootcert` when given.
    pub root_cert: Option<Roots>,
    /// `sslcert` and `sslkey`: this seat's own certificate and its key, when the server asks.
    pub client_cert: Option<(PathBuf, PathBuf)>,
    /// The URL without `sslmode` and `sslrootcert`, with the client's own `sslmode` in their
    /// place.
    pub client_url: String,
}

/// Reads `sslmode`, `sslrootcert`, `sslcert` and `sslkey` from `url` (the last of each wins,
/// as in libpq), falling back on `PGSSLMODE`, `PGSSLROOTCERT`, `PGSSLCERT` and `PGSSLKEY` as
/// psql does. An unknown `sslmode`, `sslrootcert=system` with a mode weaker than `verify-full`,
/// or a certificate without its key, is an error that says so.
pub(crate) fn parse(url: &str) -> Result<TlsRequest, String> {
    let (base, query) = url.split_once('?').unwrap_or((url, ""));
    let mut mode = None;
    let mut root_cert = None;
    let mut cert = None;
    let mut key = None;
    let mut kept = Vec::new();
    for pair in query.split('&').filter(|p| !p.is_empty()) {
        let (name, value) = pair.split_once('=').unwrap_or((pair, ""));
        let value = || percent_decode_str(value).decode_utf8_lossy().into_owned();
        match name {
            "sslmode" => mode = Some(value()),
            "sslrootcert" => root_cert = Some(value()),
            "sslcert" => cert = Some(value()),
            "sslkey" => key = Some(value()),
            _ => kept.push(pair),
        }
    }
    let from_env = |name: &str| std::env::var(name).ok().filter(|v| !v.is_empty());
    let client_cert = match (
        cert.or_else(|| from_env("PGSSLCERT")),
        key.or_else(|| from_env("PGSSLKEY")),
    ) {
        (Some(cert), Some(key)) => Some((PathBuf::from(cert), PathBuf::from(key))),
        (None, None) => None,
        _ => return Err("sslcert and sslkey go together: give both files, or neither".into()),
    };
    let mode = mode.or_else(|| from_env("PGSSLMODE"));
    let root_cert = root_cert
        .or_else(|| from_env("PGSSLROOTCERT"))
        .map(|v| match v.as_str() {
            "system" => Roots::System,
            _ => Roots::File(PathBuf::from(v)),
        });
    let mode = match mode {
        Some(m) => SslMode::parse(&m).ok_or_else(|| {
            format!(
                "sslmode={m} is not one of disable, allow, prefer, require, verify-ca, verify-full"
            )
        })?,
        None if root_cert == Some(Roots::System) => SslMode::VerifyFull,
        None => SslMode::Prefer,
    };
    if root_cert == Some(Roots::System) && mode != SslMode::VerifyFull {
        return Err(format!(
            "sslrootcert=system needs sslmode=verify-full (not {}): anyone can get a certificate \
             from a public authority for a name they own, so only the name check makes it safe",
            mode.name()
        ));
    }
    let client_mode = format!("sslmode={}", mode.for_client());
    kept.push(&client_mode);
    Ok(TlsRequest {
        mode,
        root_cert,
        client_cert,
        client_url: format!("{base}?{}", kept.join("&")),
    })
}

/// Connects to the team database at `url` with the TLS its `sslmode` asks for. `location` is
/// the URL without its password, the only form any message carries.
pub(crate) fn connect(url: &str, location: &str) -> Result<Client, StoreError> {
    let tls_error = |problem: String| StoreError::PgTls {
        location: location.to_owned(),
        problem,
    };
    let request = parse(url).map_err(tls_error)?;
    let connected = match request.mode {
        // Nothing to load for a connection that will never be encrypted.
        SslMode::Disable => Client::connect(&request.client_url, postgres::NoTls),
        mode => {
            let config = client_config(
                mode,
                request.root_cert.as_ref(),
                request.client_cert.as_ref(),
            )
            .map_err(tls_error)?;
            Client::connect(&request.client_url, MakeRustlsConnect::new(config))
        }
    };
    connected.map_err(|error| match explain(&error, &request) {
        Some(problem) => tls_error(problem),
        None => StoreError::PgOpen {
            location: location.to_owned(),
            error,
        },
    })
}

impl super::PgStore {
    /// Whether this seat's connection is encrypted, in the server's own words (`pg_stat_ssl`):
    /// what `sslmode=prefer` settled on.
    pub fn is_encrypted(&self) -> super::Result<bool> {
        let row = self.client().query_one(
            "SELECT coalesce((SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()), false)",
            &[],
        )?;
        Ok(row.get(0))
    }
}

/// The rustls configuration for `mode`: which certificates it accepts, and the seat's own
/// certificate when there is one.
fn client_config(
    mode: SslMode,
    root_cert: Option<&Roots>,
    client_cert: Option<&(PathBuf, PathBuf)>,
) -> Result<ClientConfig, String> {
    // ring, as reqwest and lettre use it in this build; named here rather than left to a
    // process-wide default that another crate might install differently.
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let builder = ClientConfig::builder_with_provider(provider.clone())
        .with_safe_default_protocol_versions()
        .map_err(|e| format!("cannot set up TLS: {e}"))?;
    let verifier: Arc<dyn ServerCertVerifier> = match (mode, root_cert) {
        // libpq checks nothing in these modes unless it is given authorities to check against.
        (SslMode::Allow | SslMode::Prefer | SslMode::Require, None) => {
            Arc::new(AnyCertificate { provider })
        }
        (SslMode::VerifyFull, roots) => webpki_verifier(roots, provider)?,
        (_, roots) => Arc::new(SignedByAuthority {
            inner: webpki_verifier(roots, provider)?,
        }),
    };
    let builder = builder
        .dangerous()
        .with_custom_certificate_verifier(verifier);
    let Some((cert, key)) = client_cert else {
        return Ok(builder.with_no_client_auth());
    };
    let chain = certificate_chain(cert)?;
    let key = private_key(key)?;
    builder.with_client_auth_cert(chain, key).map_err(|e| {
        format!(
            "the certificate {} and its key do not go together: {e}",
            cert.display()
        )
    })
}

/// This seat's certificate (and any intermediates after it) from the PEM file at `path`.
fn certificate_chain(path: &Path) -> Result<Vec<CertificateDer<'static>>, String> {
    let unreadable = |e: &dyn std::fmt::Display| {
        format!(
            "cannot read this computer's certificate {} (sslcert): {e}",
            path.display()
        )
    };
    let chain = CertificateDer::pem_file_iter(path)
        .map_err(|e| unreadable(&e))?
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| unreadable(&e))?;
    if chain.is_empty() {
        return Err(unreadable(&"it holds no certificate"));
    }
    Ok(chain)
}

/// The private key of this seat's certificate. As libpq, a key file others may read is refused:
/// whoever reads it can sign in as this seat.
fn private_key(path: &Path) -> Result<PrivateKeyDer<'static>, String> {
    let unreadable = |e: &dyn std::fmt::Display| {
        format!(
            "cannot read the certificate's key {} (sslkey): {e}",
            path.display()
        )
    };
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(path)
            .map_err(|e| unreadable(&e))?
            .permissions()
            .mode();
        if mode & 0o077 != 0 {
            return Err(format!(
                "the certificate's key {} (sslkey) may be read by others (mode {:o}); make it \
                 yours alone: chmod 600",
                path.display(),
                mode & 0o777
            ));
        }
    }
    PrivateKeyDer::from_pem_file(path).map_err(|e| unreadable(&e))
}

/// rustls's own checks (chain, validity dates, usage, name) against the authorities of `roots`.
fn webpki_verifier(
    roots: Option<&Roots>,
    provider: Arc<CryptoProvider>,
) -> Result<Arc<WebPkiServerVerifier>, String> {
    let store = match roots {
        None | Some(Roots::System) => system_roots()?,
        Some(Roots::File(path)) => Arc::new(file_roots(path)?),
    };
    WebPkiServerVerifier::builder_with_provider(store, provider)
        .build()
        .map_err(|e| format!("cannot set up the certificate check: {e}"))
}

/// The computer's own trusted authorities, read once a process: reading and parsing the
/// system's bundle took about 5 ms an open, and a sync opens a connection per claim. An
/// authority installed while Earshot runs counts from its next start.
fn system_roots() -> Result<Arc<RootCertStore>, String> {
    static ROOTS: std::sync::OnceLock<Result<Arc<RootCertStore>, String>> =
        std::sync::OnceLock::new();
    ROOTS
        .get_or_init(|| {
            let found = rustls_native_certs::load_native_certs();
            let mut store = RootCertStore::empty();
            store.add_parsable_certificates(found.certs);
            if store.is_empty() {
                return Err(format!(
                    "this computer has no trusted certificate authorities to check the \
                     server's certificate against ({} errors reading them); give the \
                     authority's certificate with sslrootcert=PATH",
                    found.errors.len()
                ));
            }
            Ok(Arc::new(store))
        })
        .clone()
}

/// The authorities in the PEM file at `path`.
fn file_roots(path: &Path) -> Result<RootCertStore, String> {
    let unreadable = |e: &dyn std::fmt::Display| {
        format!(
            "cannot read the certificate authority file {} (sslrootcert): {e}",
            path.display()
        )
    };
    let mut store = RootCertStore::empty();
    for cert in CertificateDer::pem_file_iter(path).map_err(|e| unreadable(&e))? {
        let cert = cert.map_err(|e| unreadable(&e))?;
        store.add(cert).map_err(|e| unreadable(&e))?;
    }
    if store.is_empty() {
        return Err(unreadable(&"it holds no certificate"));
    }
    Ok(store)
}

/// `require` and `prefer` without authorities: encrypted, the certificate taken as it comes (as
/// libpq does; it protects from someone listening, not from someone in the middle). The
/// handshake's signatures are still checked, so the server holds the key of what it presented.
#[derive(Debug)]
struct AnyCertificate {
    provider: Arc<CryptoProvider>,
}

impl ServerCertVerifier for AnyCertificate {
    fn verify_server_cert(
        &self,
        _end_entity: &CertificateDer<'_>,
        _intermediates: &[CertificateDer<'_>],
        _server_name: &ServerName<'_>,
        _ocsp_response: &[u8],
        _now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        Ok(ServerCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls12_signature(
            message,
            cert,
            dss,
            &self.provider.signature_verification_algorithms,
        )
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls13_signature(
            message,
            cert,
            dss,
            &self.provider.signature_verification_algorithms,
        )
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.provider
            .signature_verification_algorithms
            .supported_schemes()
    }
}

/// `verify-ca` (and `require` given authorities): every check of `verify-full` but the name.
/// rustls checks the chain before the name, so a name mismatch is the only error left out.
#[derive(Debug)]
struct SignedByAuthority {
    inner: Arc<WebPkiServerVerifier>,
}

impl ServerCertVerifier for SignedByAuthority {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        server_name: &ServerName<'_>,
        ocsp_response: &[u8],
        now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        match self.inner.verify_server_cert(
            end_entity,
            intermediates,
            server_name,
            ocsp_response,
            now,
        ) {
            Err(rustls::Error::InvalidCertificate(
                CertificateError::NotValidForName | CertificateError::NotValidForNameContext { .. },
            )) => Ok(ServerCertVerified::assertion()),
            other => other,
        }
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        self.inner.verify_tls12_signature(message, cert, dss)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        self.inner.verify_tls13_signature(message, cert, dss)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.inner.supported_verify_schemes()
    }
}

/// A plain account of a connection refused over TLS, or `None` when TLS is not what failed.
fn explain(error: &postgres::Error, request: &TlsRequest) -> Option<String> {
    let mut cause: Option<&(dyn std::error::Error + 'static)> = std::error::Error::source(error);
    while let Some(e) = cause {
        // tokio-postgres's own words when the server answers "no TLS here" to a must.
        if e.to_string() == "server does not support TLS" {
            return Some(format!(
                "the server does not accept encrypted connections, and sslmode={} asks for one; \
                 turn on ssl on the server, or on a trusted network only use sslmode=prefer",
                request.mode.name()
            ));
        }
        // rustls's error travels inside an io::Error, whose `source` skips it.
        let tls = e
            .downcast_ref::<std::io::Error>()
            .and_then(|io| io.get_ref())
            .and_then(|inner| inner.downcast_ref::<rustls::Error>());
        if let Some(tls) = tls {
            return Some(certificate_problem(tls, request));
        }
        cause = e.source();
    }
    None
}

fn certificate_problem(error: &rustls::Error, request: &TlsRequest) -> String {
    let authorities = match &request.root_cert {
        Some(Roots::File(path)) => format!("the authority in {}", path.display()),
        _ => "an authority this computer trusts".to_owned(),
    };
    let how = match &request.root_cert {
        Some(Roots::File(_)) => "check that sslrootcert names the authority that signed it",
        _ => "give the authority's certificate with sslrootcert=PATH",
    };
    match error {
        rustls::Error::InvalidCertificate(CertificateError::UnknownIssuer) => format!(
            "the server's certificate is not signed by {authorities} (unknown issuer); {how}"
        ),
        rustls::Error::InvalidCertificate(
            CertificateError::NotValidForName | CertificateError::NotValidForNameContext { .. },
        ) => format!(
            "the server's certificate is not issued for the host in the address \
             (sslmode={} checks the name): {error}",
            request.mode.name()
        ),
        rustls::Error::InvalidCertificate(CertificateError::Expired)
        | rustls::Error::InvalidCertificate(CertificateError::ExpiredContext { .. }) => {
            format!("the server's certificate has expired: {error}")
        }
        rustls::Error::InvalidCertificate(_) => {
            format!("the server's certificate was refused: {error}")
        }
        _ => format!("the encrypted connection failed: {error}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sslmode_and_sslrootcert_are_taken_out_of_the_url_and_the_rest_kept() {
        let r = parse(
            "postgresql://team@db.example/earshot?application_name=seat&sslmode=verify-full\
             &sslrootcert=%2Fetc%2Fteam%20ca.pem",
        )
        .unwrap();
        assert_eq!(r.mode, SslMode::VerifyFull);
        assert_eq!(
            r.root_cert,
            Some(Roots::File(PathBuf::from("/etc/team ca.pem")))
        );
        assert_eq!(
            r.client_url,
            "postgresql://team@db.example/earshot?application_name=seat&sslmode=require"
        );

        let r = parse("postgresql://db.example/earshot?sslmode=verify-ca").unwrap();
        assert_eq!((r.mode, r.root_cert), (SslMode::VerifyCa, None));
        let r = parse("postgresql://db.example/earshot?sslmode=allow").unwrap();
        assert!(
            r.client_url.ends_with("?sslmode=prefer"),
            "{}",
            r.client_url
        );
        let r = parse("postgresql://db.example/earshot?sslmode=disable").unwrap();
        assert!(
            r.client_url.ends_with("?sslmode=disable"),
            "{}",
            r.client_url
        );
    }

    #[test]
    fn the_default_is_prefer_and_system_roots_default_to_verify_full_and_refuse_less() {
        // Set by nobody in the tests' environment; psql would read them too.
        if std::env::var_os("PGSSLMODE").is_some() || std::env::var_os("PGSSLROOTCERT").is_some() {
            return;
        }
        let r = parse("postgresql://db.example/earshot").unwrap();
        assert_eq!(r.mode, SslMode::Prefer);
        assert_eq!(
            r.client_url,
            "postgresql://db.example/earshot?sslmode=prefer"
        );

        let r = parse("postgresql://db.example/earshot?sslrootcert=system").unwrap();
        assert_eq!(
            (r.mode, r.root_cert),
            (SslMode::VerifyFull, Some(Roots::System))
        );
        let err =
            parse("postgresql://db.example/e?sslrootcert=system&sslmode=require").unwrap_err();
        assert!(
            err.contains("sslrootcert=system needs sslmode=verify-full"),
            "{err}"
        );

        let err = parse("postgresql://db.example/e?sslmode=verify_full").unwrap_err();
        assert!(err.contains("sslmode=verify_full is not one of"), "{err}");
    }

    #[test]
    fn a_seats_certificate_and_key_are_read_together() {
        if std::env::var_os("PGSSLCERT").is_some() || std::env::var_os("PGSSLKEY").is_some() {
            return;
        }
        let r = parse("postgresql://db.example/e").unwrap();
        assert_eq!(r.client_cert, None);
        let r =
            parse("postgresql://db.example/e?sslcert=%2Fk%2Fseat.crt&sslkey=/k/seat.key").unwrap();
        assert_eq!(
            r.client_cert,
            Some((PathBuf::from("/k/seat.crt"), PathBuf::from("/k/seat.key")))
        );
        assert!(
            r.client_url.ends_with("/e?sslmode=prefer"),
            "{}",
            r.client_url
        );
        let err = parse("postgresql://db.example/e?sslcert=/k/seat.crt").unwrap_err();
        assert!(err.contains("sslcert and sslkey go together"), "{err}");
    }
}
