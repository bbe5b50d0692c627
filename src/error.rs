//! The public error codes a user or client sees (Auth.js's names, so its users recognise them):
//! each maps to an HTTP status and a plain message. Internal detail goes to the log only.

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ErrorCode {
    /// The gateway is misconfigured; it lets nothing through.
    Configuration,
    /// The user (or provider) refused the sign-in.
    AccessDenied,
    /// The in-flight sign-in could not be verified: state missing, expired, reused or not
    /// started in this browser.
    Verification,
    /// A sign-in or sign-out form was posted without a valid CSRF token.
    MissingCSRF,
    /// The sign-in could not be started (provider metadata unavailable, store failure).
    OAuthSignin,
    /// The provider's answer could not be used (provider error, token exchange, ID token).
    OAuthCallback,
    /// The provider id in the URL is not configured.
    UnknownProvider,
    /// A request without a session to something that is not a page.
    SessionRequired,
    /// Anything else shown on the error page.
    Default,
}

impl ErrorCode {
    pub const ALL: [ErrorCode; 9] = [
        ErrorCode::Configuration,
        ErrorCode::AccessDenied,
        ErrorCode::Verification,
        ErrorCode::MissingCSRF,
        ErrorCode::OAuthSignin,
        ErrorCode::OAuthCallback,
        ErrorCode::UnknownProvider,
        ErrorCode::SessionRequired,
        ErrorCode::Default,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            ErrorCode::Configuration => "Configuration",
            ErrorCode::AccessDenied => "AccessDenied",
            ErrorCode::Verification => "Verification",
            ErrorCode::MissingCSRF => "MissingCSRF",
            ErrorCode::OAuthSignin => "OAuthSignin",
            ErrorCode::OAuthCallback => "OAuthCallback",
            ErrorCode::UnknownProvider => "UnknownProvider",
            ErrorCode::SessionRequired => "SessionRequired",
            ErrorCode::Default => "Default",
        }
    }

    /// Unknown codes (the `?error=` query is user input) become `Default`.
    pub fn parse(code: &str) -> ErrorCode {
        ErrorCode::ALL.into_iter().find(|c| c.as_str() == code).unwrap_or(ErrorCode::Default)
    }

    pub fn status(self) -> u16 {
        match self {
            ErrorCode::Configuration => 500,
            ErrorCode::AccessDenied | ErrorCode::MissingCSRF => 403,
            ErrorCode::SessionRequired => 401,
            ErrorCode::UnknownProvider => 404,
            _ => 400,
        }
    }

    pub fn message(self) -> &'static str {
        match self {
            ErrorCode::Configuration => "The sign-in service is not configured correctly. The site owner has been told in the logs.",
            ErrorCode::AccessDenied => "Access was denied.",
            ErrorCode::Verification => "This sign-in link is no longer valid: it was already used, it expired, or it was started in another browser. Please sign in again.",
            ErrorCode::MissingCSRF => "The form had expired. Please go back and try again.",
            ErrorCode::OAuthSignin => "The sign-in could not be started. Please try again later.",
            ErrorCode::OAuthCallback => "The identity provider's answer could not be accepted. Please try again.",
            ErrorCode::UnknownProvider => "This sign-in provider is not available.",
            ErrorCode::SessionRequired => "You need to sign in.",
            ErrorCode::Default => "Something went wrong while signing in.",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_round_trip_and_unknown_is_default() {
        for c in ErrorCode::ALL {
            assert_eq!(ErrorCode::parse(c.as_str()), c);
        }
        assert_eq!(ErrorCode::parse("<script>"), ErrorCode::Default);
    }
}
