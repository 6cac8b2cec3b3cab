"""A real SMTP server on loopback for the tests and the benchmark (aiosmtpd).

Every accepted message is written to --dir as one .eml file, with a .json beside it
holding its decoded recipient, subject and parts (for the browser journeys). Recipients choose how the
server answers them, so tests can reach every path of the outbox worker:
  bounce…@  550 at RCPT (the mailbox does not exist: a permanent, recipient refusal)
  refused…@ 554 at RCPT (a policy refusal that is not about the recipient)
  later…@   451 at RCPT for the first two attempts, then accepted
Prints "READY <port>" once listening (port 0 picks a free one).
"""

import argparse
import asyncio
import email
import email.policy
import json
import os

from aiosmtpd.smtp import SMTP


class Handler:
    def __init__(self, out):
        self.out = out
        self.count = 0
        self.tries = {}

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        local = address.split("@")[0].lower()
        if local.startswith("bounce"):
            return "550 5.1.1 No such user here"
        if local.startswith("refused"):
            return "554 5.7.1 Relaying denied"
        if local.startswith("later"):
            tries = self.tries.get(address, 0) + 1
            self.tries[address] = tries
            if tries <= 2:
                return "451 4.3.0 Mailbox busy, try again later"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        if self.out:
            self.count += 1
            name = f"{os.getpid()}-{self.count:08d}.eml"
            tmp = os.path.join(self.out, "." + name)
            raw = envelope.original_content or envelope.content
            parsed = email.message_from_bytes(raw, policy=email.policy.default)
            parts = {}
            for kind in ("plain", "html"):
                body = parsed.get_body(preferencelist=(kind,))
                parts[kind] = body.get_content() if body else ""
            summary = {"to": str(parsed["to"]), "subject": str(parsed["subject"]), **parts}
            with open(tmp + ".json", "w") as f:
                json.dump(summary, f)
            with open(tmp, "wb") as f:
                f.write(raw)
            # Renamed into place, so a reader never sees half a message.
            os.rename(tmp + ".json", os.path.join(self.out, name[:-4] + ".json"))
            os.rename(tmp, os.path.join(self.out, name))
        return "250 Message accepted"


async def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--dir", default="")
    parser.add_argument("--port", type=int, default=0)
    args = parser.parse_args()
    handler = Handler(args.dir)
    loop = asyncio.get_running_loop()
    server = await loop.create_server(
        lambda: SMTP(handler, hostname="sink.test", data_size_limit=10_000_000),
        "127.0.0.1",
        args.port,
    )
    port = server.sockets[0].getsockname()[1]
    print(f"READY {port}", flush=True)
    await server.serve_forever()


if __name__ == "__main__":
    asyncio.run(main())
