"""The bridge to call keypads, evaluators and LED displays on RS-485 serial lines.

It imports nothing of `hall`: it talks to the hall over HTTP and Socket.IO only.

    PROTOCOL.md     the HQ-485 serial protocol, as a vendor would publish it
    framing, crc    the frame and its pure, incremental decoder (bytes in, frames out)
    messages        vendor-neutral requests and replies; drivers/ turns them into bytes (hq485)
    line, port      the bus master of one serial line: polling, sequence bits, offline, reopening
    devices, render what each keypad, evaluator, LED and bar should show; model: the hall as heard
    bridge          the daemon: keys → API calls, Socket.IO → displays; live, hall_api, courier, outbox
    sim             simulated devices on pseudo-terminals; timing: wire times and latency predictions
    worker, link_thread, process, ptyend
                    a thread's life, a Socket.IO link's, a process's (YAML, signals, typed commands)
                    and a simulator's pty: generic, and what the kiosk agent shares with the bridge
"""
