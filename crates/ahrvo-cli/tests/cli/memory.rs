//! Memory of a bulk run is bounded by the concurrency window, not by the input: the `ahrvo`
//! binary reads many card ids on stdin at `--concurrency 4` against a loopback fake that
//! answers every card at once, and its peak resident set (`VmHWM` of `/proc/<pid>/status`,
//! read every 2 ms while it runs) is compared with a run of few ids.
//!
//! What may grow with the input is the set of ids seen (duplicates are queried once): about
//! 8 bytes per `card` + 18 digits id, 20 to 40 with the hash set's slack. Holding every result
//! until the end (a `CardBalance`, its input entry, its row) costs well over 200 bytes per id,
//! so the bound below, 100 bytes per extra id, fails if the runner held all results: collecting
//! them in `bulk::run` for a moment made 25,000 ids grow 13 MiB over the small run (555 bytes
//! per id), where streaming measured 23 bytes per id (19.1 MiB for 1,000 ids, 19.6 MiB for
//! 40,000, debug build).
//!
//! Linux only (`/proc`). 25,000 ids take about 10 s in a debug build; the 200,000 of the issue
//! would take over a minute there, so that size is `#[ignore]`d (run it with
//! `cargo test -p ahrvo-cli --test cli memory -- --ignored`), and `cargo xtask bench --bench cli`
//! reports the release binary's peak RSS for 10,000 ids against 1,000.

#![cfg(target_os = "linux")]

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpListener;
use std::process::Stdio;
use std::time::Duration;

use crate::common::command;

/// A loopback HTTP/1.1 server with keep-alive that answers every request with the same card
/// balance (one thread per connection; it serves until the test process ends).
fn fast_card_server() -> String {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let base_url = format!("http://{}", listener.local_addr().unwrap());
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(stream) = stream else { continue };
            std::thread::spawn(move || {
                let body = r#"{"code":"SUCCESS","data":{"card_number":"5157********2686","available_balance":"1468.87"}}"#;
                let reply = format!(
                    "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\n\r\n{body}",
                    body.len()
                );
                let mut writer = stream.try_clone().expect("clone");
                let mut reader = BufReader::new(stream);
                loop {
                    // Headers to the blank line; the GETs have no body.
                    let mut line = String::new();
                    loop {
                        line.clear();
                        match reader.read_line(&mut line) {
                            Ok(0) | Err(_) => return,
                            Ok(_) if line == "\r\n" => break,
                            Ok(_) => {}
                        }
                    }
                    if writer.write_all(reply.as_bytes()).is_err() {
                        return;
                    }
                }
            });
        }
    });
    base_url
}

/// `VmHWM` in KiB from a `/proc/<pid>/status` text.
fn vm_hwm_kib(status: &str) -> Option<u64> {
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))?
        .split_whitespace()
        .next()?
        .parse()
        .ok()
}

/// Runs `ahrvo cards balance - --concurrency 4 -o jsonl` on `n` distinct card ids written to
/// its stdin; returns its peak RSS in KiB, after checking that every card came back.
fn peak_rss_kib(base_url: &str, n: u64) -> u64 {
    let mut cmd = command();
    cmd.args([
        "--base-url",
        base_url,
        "--api-key",
        "k",
        "--access-token",
        "t",
        "cards",
        "balance",
        "-",
        "--concurrency",
        "4",
        "-o",
        "jsonl",
    ])
    .stdin(Stdio::piped())
    .stdout(Stdio::piped())
    .stderr(Stdio::piped());
    let mut child = cmd.spawn().expect("run ahrvo");
    let mut stdin = child.stdin.take().unwrap();
    let writer = std::thread::spawn(move || {
        let mut text = String::with_capacity(23 * 1024);
        for i in 0..n {
            text.push_str(&format!("card{:018}\n", 202_601_010_000_000_000 + i));
            if text.len() > 22 * 1024 {
                stdin.write_all(text.as_bytes()).unwrap();
                text.clear();
            }
        }
        stdin.write_all(text.as_bytes()).unwrap();
    });
    let mut stdout = child.stdout.take().unwrap();
    let rows = std::thread::spawn(move || {
        // Counted, not kept: the test must not be what holds the rows.
        let mut lines = 0_u64;
        let mut buf = vec![0; 64 * 1024];
        while let Ok(k) = stdout.read(&mut buf) {
            if k == 0 {
                break;
            }
            lines += buf[..k].iter().filter(|&&b| b == b'\n').count() as u64;
        }
        lines
    });
    let mut stderr = child.stderr.take().unwrap();
    let errors = std::thread::spawn(move || {
        let mut text = String::new();
        let _ = stderr.read_to_string(&mut text);
        text
    });
    let status_file = format!("/proc/{}/status", child.id());
    let mut peak = 0;
    let status = loop {
        if let Some(kib) = std::fs::read_to_string(&status_file)
            .ok()
            .as_deref()
            .and_then(vm_hwm_kib)
        {
            peak = peak.max(kib);
        }
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        std::thread::sleep(Duration::from_millis(2));
    };
    writer.join().unwrap();
    let (rows, errors) = (rows.join().unwrap(), errors.join().unwrap());
    assert!(status.success(), "{status}: {errors}");
    assert_eq!(rows, n, "{errors}");
    assert!(errors.contains(&format!("summary: {n} ok")), "{errors}");
    assert!(peak > 0, "no VmHWM read");
    peak
}

/// The peak RSS of `big` ids grows over that of `small` by less than 100 bytes per extra id.
fn memory_is_bounded(small: u64, big: u64) {
    let server = fast_card_server();
    // The small run first and last: the smaller of the two, so that a slow first start (page
    // cache) does not make the bound looser.
    let small_peak = peak_rss_kib(&server, small);
    let big_peak = peak_rss_kib(&server, big);
    let small_peak = small_peak.min(peak_rss_kib(&server, small));
    let growth = big_peak.saturating_sub(small_peak) * 1024;
    let per_id = growth / (big - small);
    eprintln!(
        "peak RSS: {small} ids {small_peak} KiB, {big} ids {big_peak} KiB: {per_id} bytes per \
         extra id"
    );
    assert!(
        per_id < 100,
        "the peak RSS grew by {growth} bytes for {} more ids ({per_id} per id): results are held \
         ({small} ids: {small_peak} KiB, {big} ids: {big_peak} KiB)",
        big - small
    );
}

#[test]
fn twenty_five_thousand_ids_on_stdin_cost_about_the_memory_of_a_thousand() {
    memory_is_bounded(1_000, 25_000);
}

#[test]
#[ignore = "about a minute in a debug build: run with --ignored (the bench measures the release \
            binary)"]
fn two_hundred_thousand_ids_on_stdin_cost_about_the_memory_of_two_thousand() {
    memory_is_bounded(2_000, 200_000);
}
