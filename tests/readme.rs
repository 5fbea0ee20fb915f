//! The README's commands are the ones CI and the test script actually run.
//! (Its Rust examples run as doctests of the core crate; its Python and JS
//! examples run in the pytest and Node suites.)

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::Path;

fn read(rel: &str) -> String {
    std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("..").join(rel)).unwrap()
}

fn shell_commands(markdown: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut inside = false;
    for line in markdown.lines() {
        if line.starts_with("```") {
            inside = !inside && line.trim() == "```sh";
            continue;
        }
        if inside && !line.trim().is_empty() {
            out.push(line.trim().to_owned());
        }
    }
    out
}

#[test]
fn ci_runs_the_readme_test_command() {
    let readme = read("README.md");
    let commands = shell_commands(&readme);
    let test_command = commands
        .iter()
        .find(|c| c.contains("test-all.sh"))
        .expect("README names the test command");
    let ci = read(".ci/run");
    let script = test_command.trim_start_matches("bash ").to_owned();
    assert!(ci.contains(&script), ".ci/run does not call {script}");
}

#[test]
fn the_test_script_runs_the_readme_main_job_commands() {
    let readme = read("README.md");
    let script = read("scripts/test-all.sh").replace("\\\n", " ");
    let script: String = script.split_whitespace().collect::<Vec<_>>().join(" ");
    for cmd in shell_commands(&readme)
        .iter()
        .filter(|c| c.starts_with("cargo run"))
    {
        // The script may add arguments (a smaller synthetic organisation); the README's part must be there.
        let args: Vec<&str> = cmd.split_whitespace().collect();
        let data_args = args
            .iter()
            .position(|a| *a == "--")
            .map_or(&args[..], |i| &args[..i]);
        assert!(
            script.contains(&data_args.join(" ")),
            "script does not run {cmd}"
        );
        if let Some(i) = args.iter().position(|a| *a == "--") {
            assert!(
                script.contains(&args[i + 1..].join(" ")),
                "script does not run {cmd}"
            );
        }
    }
}
