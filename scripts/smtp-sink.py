#!/usr/bin/python3
"""A minimal, fast SMTP sink for scripts/bench: accepts every message and keeps only counts.

aiosmtpd (scripts/mailbox.py) parses and stores each message as a file, which costs more CPU
than the notifier spends sending it; under benchmark load that would measure the sink, not
Leadflow. This speaks just enough SMTP (EHLO/HELO, MAIL, RCPT, DATA, RSET, NOOP, QUIT; no
STARTTLS, so the notifier sends in plain text as it does to any local relay), answers each
command at once, and discards message bodies. On SIGTERM it writes
{"messages": n, "bytes": n, "connections": n} to the stats file.

usage: smtp-sink.py HOST PORT STATS_FILE
"""
import asyncio
import json
import signal
import sys

stats = {"messages": 0, "bytes": 0, "connections": 0}


async def session(reader, writer):
    stats["connections"] += 1
    try:
        writer.write(b"220 leadflow-bench-sink ESMTP\r\n")
        while True:
            line = await reader.readline()
            if not line:
                break
            verb = line[:4].upper()
            if verb in (b"EHLO",):
                writer.write(b"250-leadflow-bench-sink\r\n250-8BITMIME\r\n250-SMTPUTF8\r\n250 SIZE 52428800\r\n")
            elif verb == b"HELO":
                writer.write(b"250 leadflow-bench-sink\r\n")
            elif verb == b"DATA":
                writer.write(b"354 go ahead\r\n")
                await writer.drain()
                size = 0
                while True:
                    body = await reader.readline()
                    if not body or body == b".\r\n":
                        break
                    size += len(body)
                stats["messages"] += 1
                stats["bytes"] += size
                writer.write(b"250 2.0.0 accepted\r\n")
            elif verb == b"QUIT":
                writer.write(b"221 bye\r\n")
                await writer.drain()
                break
            else:  # MAIL, RCPT, RSET, NOOP and anything else
                writer.write(b"250 ok\r\n")
            await writer.drain()
    except (ConnectionError, asyncio.IncompleteReadError):
        pass
    finally:
        writer.close()


async def main():
    host, port, stats_file = sys.argv[1], int(sys.argv[2]), sys.argv[3]
    server = await asyncio.start_server(session, host, port, backlog=1024)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    print(f"smtp sink on {host}:{port}", flush=True)
    async with server:
        await stop.wait()
    with open(stats_file, "w") as out:
        json.dump(stats, out)


asyncio.run(main())
