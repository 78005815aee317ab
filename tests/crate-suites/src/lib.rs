//! Nothing: this package only pins the crates whose suites `run.sh` runs.
