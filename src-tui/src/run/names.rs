//! The variables `coffer run` does not let a secret name: a JSON secret's keys (or a
//! secret's own name) choose these only when the operator maps them explicitly
//! (`--secret-id ID#KEY=VAR`, `--secret-id ID=VAR`, or an env file), because whoever can
//! write one secret would otherwise choose what the operator's program loads or runs.

/// Names refused whole, each with why.
const EXACT: &[(&str, &str)] = &[
    (
        "PATH",
        "where every program is looked up, the command itself included",
    ),
    ("IFS", "how shells split words"),
    ("ENV", "a file every POSIX shell runs at start"),
    ("BASH_ENV", "a file a non-interactive bash runs at start"),
    (
        "SHELLOPTS",
        "bash options (xtrace prints every command with its values)",
    ),
    ("BASHOPTS", "bash options"),
    (
        "PS4",
        "expanded, command substitutions included, before each traced command",
    ),
    ("PROMPT_COMMAND", "run by bash before each prompt"),
    ("CDPATH", "where `cd` goes"),
    ("SHELL", "the shell other programs start"),
    (
        "HOME",
        "where programs read their start-up and configuration files",
    ),
    ("XDG_CONFIG_HOME", "where programs read their configuration"),
    ("EDITOR", "a program other programs start"),
    ("VISUAL", "a program other programs start"),
    ("PAGER", "a program other programs start"),
    ("BROWSER", "a program other programs start"),
    ("SSH_ASKPASS", "a program ssh starts"),
    ("SUDO_ASKPASS", "a program sudo starts"),
    ("GIT_SSH", "a program git starts"),
    ("GIT_SSH_COMMAND", "a command git runs"),
    ("GIT_ASKPASS", "a program git starts"),
    ("GIT_EDITOR", "a program git starts"),
    ("GIT_PAGER", "a program git starts"),
    ("GIT_EXEC_PATH", "where git finds its own programs"),
    ("GIT_PROXY_COMMAND", "a command git runs"),
    ("GIT_EXTERNAL_DIFF", "a program git starts"),
    (
        "GIT_CONFIG_PARAMETERS",
        "git configuration (core.sshCommand, aliases)",
    ),
    (
        "GIT_CONFIG_COUNT",
        "git configuration (core.sshCommand, aliases)",
    ),
    (
        "GLIBC_TUNABLES",
        "glibc's loader settings (a privilege escalation in 2023)",
    ),
    ("GCONV_PATH", "shared objects glibc loads for iconv"),
    ("LOCPATH", "locale files glibc loads"),
    ("NLSPATH", "message catalogs programs load"),
    (
        "NODE_OPTIONS",
        "node options, `--require` a module included",
    ),
    ("NODE_PATH", "where node finds modules"),
    ("RUBYOPT", "ruby options, `-r` a library included"),
    ("RUBYLIB", "where ruby finds libraries"),
    ("JAVA_TOOL_OPTIONS", "JVM options, `-javaagent` included"),
    ("_JAVA_OPTIONS", "JVM options, `-javaagent` included"),
    ("JDK_JAVA_OPTIONS", "JVM options, `-javaagent` included"),
    ("CLASSPATH", "where the JVM finds classes"),
    ("PHPRC", "php's configuration (auto_prepend_file)"),
    (
        "PHP_INI_SCAN_DIR",
        "php's configuration (auto_prepend_file)",
    ),
    ("HTTP_PROXY", "where a program's requests go"),
    ("HTTPS_PROXY", "where a program's requests go"),
    ("ALL_PROXY", "where a program's requests go"),
    ("NO_PROXY", "which requests skip the proxy"),
    ("SSL_CERT_FILE", "whom TLS trusts"),
    ("SSL_CERT_DIR", "whom TLS trusts"),
    ("REQUESTS_CA_BUNDLE", "whom TLS trusts (python requests)"),
    ("CURL_CA_BUNDLE", "whom TLS trusts (curl)"),
    ("NODE_EXTRA_CA_CERTS", "whom TLS trusts (node)"),
];

/// Name prefixes refused, each with why.
const PREFIXES: &[(&str, &str)] = &[
    (
        "LD_",
        "the dynamic loader (LD_PRELOAD, LD_LIBRARY_PATH, LD_AUDIT load code)",
    ),
    ("DYLD_", "macOS's dynamic loader"),
    (
        "PYTHON",
        "python's start-up (PYTHONPATH, PYTHONSTARTUP, PYTHONHOME)",
    ),
    ("PERL", "perl's start-up (PERL5OPT, PERL5LIB, PERL5DB)"),
    ("LUA_", "lua's start-up (LUA_INIT runs code)"),
    ("BASH_FUNC_", "functions bash imports from the environment"),
    (
        "GIT_CONFIG_",
        "git configuration (GIT_CONFIG_KEY_n, GIT_CONFIG_VALUE_n)",
    ),
    (
        "COFFER_",
        "Coffer's own settings (which vault, whose passphrase)",
    ),
];

/// Why a secret may not choose the variable `name` (`None`: it may).
pub fn refused(name: &str) -> Option<&'static str> {
    let upper = name.to_ascii_uppercase();
    EXACT
        .iter()
        .find(|(n, _)| *n == upper)
        .or_else(|| PREFIXES.iter().find(|(p, _)| upper.starts_with(p)))
        .map(|(_, why)| *why)
}

#[cfg(test)]
mod tests {
    use super::refused;

    #[test]
    fn variables_that_change_how_programs_load_or_run_are_refused() {
        for name in [
            "PATH",
            "LD_PRELOAD",
            "LD_LIBRARY_PATH",
            "DYLD_INSERT_LIBRARIES",
            "PYTHONPATH",
            "NODE_OPTIONS",
            "BASH_ENV",
            "ENV",
            "IFS",
            "PERL5OPT",
            "RUBYOPT",
            "JAVA_TOOL_OPTIONS",
            "BASH_FUNC_ls%%",
            "COFFER_PASSPHRASE",
            "https_proxy",
        ] {
            assert!(refused(name).is_some(), "{name}");
        }
        for name in [
            "DB_PASSWORD",
            "API_TOKEN",
            "AWS_SECRET_ACCESS_KEY",
            "NODE_ENV",
            "PATHS",
        ] {
            assert_eq!(refused(name), None, "{name}");
        }
    }
}
