//! Reading secrets (passwords, tokens) from an environment variable or standard input,
//! never from the command line, where other users could read them in the process list.

use std::io::{BufRead, IsTerminal};

use anyhow::Context;
use secrecy::SecretString;

/// From the variable `env_var` when given, else standard input: a hidden prompt on a
/// terminal, the first line otherwise.
pub fn read_secret(what: &str, env_var: Option<&str>) -> anyhow::Result<SecretString> {
    let text = match env_var {
        Some(name) => {
            std::env::var(name).with_context(|| format!("reading the {what} from ${name}"))?
        }
        None if std::io::stdin().is_terminal() => rpassword::prompt_password(format!("{what}: "))
            .with_context(|| format!("reading the {what}"))?,
        None => {
            let mut line = String::new();
            std::io::stdin()
                .lock()
                .read_line(&mut line)
                .with_context(|| format!("reading the {what} from standard input"))?;
            line
        }
    };
    let text = text.trim().to_owned();
    anyhow::ensure!(
        !text.is_empty(),
        "the {what} is empty (give it on standard input{})",
        env_var.map(|v| format!(" or in ${v}")).unwrap_or_default()
    );
    Ok(SecretString::from(text))
}
