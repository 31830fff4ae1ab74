//! Project rules that run: every source module opens with a `//!` line saying what it is;
//! only the binary (and the benchmarks) read the environment, though test support
//! (`testing.rs` modules) may read the `WEFT_*` switches that say what a test must require;
//! the server and the CLI reach the database only through the hub; and the repository
//! stands alone: nothing in it refers to files outside it.

use std::path::{Path, PathBuf};

fn sources(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            sources(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

fn crates() -> Vec<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    std::fs::read_dir(&root)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.join("src").is_dir())
        .collect()
}

#[test]
fn every_module_says_what_it_is() {
    let mut files = Vec::new();
    for krate in crates() {
        sources(&krate.join("src"), &mut files);
    }
    assert!(files.len() > 40);
    let bare: Vec<_> = files
        .iter()
        .filter(|f| !std::fs::read_to_string(f).unwrap().starts_with("//!"))
        .collect();
    assert!(bare.is_empty(), "modules without a //! line: {bare:?}");
}

#[test]
fn the_server_and_the_cli_reach_the_store_only_through_the_hub() {
    let mut offenders = Vec::new();
    for krate in crates()
        .into_iter()
        .filter(|k| k.ends_with("weft") || k.ends_with("weft-server"))
    {
        let mut files = Vec::new();
        sources(&krate.join("src"), &mut files);
        for file in files {
            let text = std::fs::read_to_string(&file).unwrap();
            for (n, line) in text.lines().enumerate() {
                // Naming the backend in a log line is not a use of the store.
                let reads = line.contains(".store.") || line.trim_start().starts_with(".store");
                if reads && !line.contains(".store.backend()") {
                    offenders.push(format!("{}:{}: {}", file.display(), n + 1, line.trim()));
                }
            }
        }
    }
    assert!(
        offenders.is_empty(),
        "the store used past the hub (add a hub function):\n{}",
        offenders.join("\n")
    );
}

#[test]
fn only_the_binary_reads_the_environment() {
    let mut offenders = Vec::new();
    for krate in crates()
        .into_iter()
        .filter(|k| !k.ends_with("weft") && !k.ends_with("bench"))
    {
        let mut files = Vec::new();
        sources(&krate.join("src"), &mut files);
        offenders.extend(files.into_iter().filter(|f| {
            !f.ends_with("testing.rs") && std::fs::read_to_string(f).unwrap().contains("env::var")
        }));
    }
    assert!(
        offenders.is_empty(),
        "library code reading the environment: {offenders:?}"
    );
}

/// Every file of the repository that git would track (no build output, no VCS data).
fn repository_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        if path.is_dir() {
            if !matches!(
                name.as_str(),
                "target" | ".git" | "weft-data" | "weft-demo-data" | "node_modules"
            ) {
                repository_files(&path, out);
            }
        } else {
            out.push(path);
        }
    }
}

#[test]
fn the_repository_refers_to_nothing_outside_it() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let mut files = Vec::new();
    repository_files(&root, &mut files);
    assert!(files.len() > 60);
    // Spelled in two parts so this file does not match itself.
    let outside = ["../", "shared"].concat();
    let offenders: Vec<_> = files
        .iter()
        .filter(|f| {
            std::fs::read(f)
                .map(|bytes| String::from_utf8_lossy(&bytes).contains(&outside))
                .unwrap_or(false)
        })
        .collect();
    assert!(
        offenders.is_empty(),
        "files referring outside the repository: {offenders:?}"
    );
}
