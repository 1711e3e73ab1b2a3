"""One process of a concurrency test: waits for the go file, then works on a ledger.

    python ledger_worker.py file TARGET GO START STOP STEP   files referrals R-START...
    python ledger_worker.py open TARGET GO                    opens (and so migrates)
    python ledger_worker.py acknowledge TARGET GO COUNT       records returns 0..COUNT-1

It prints one JSON value: what it did, for the test to check against the ledger.
"""

from __future__ import annotations

import json
import sys
import time
from datetime import timedelta
from pathlib import Path

from ledger_documents import FORMED, PLATFORM, filing

from compliance.ledger import (
    AcknowledgementStatus,
    ReceivedFile,
    ReceivedReturn,
    open_ledger,
    sha256_hex,
)


def wait_for(go: Path) -> None:
    Path(f"{go}.ready.{sys.argv[1]}.{time.monotonic_ns()}").touch()
    deadline = time.monotonic() + 120
    while not go.exists():
        if time.monotonic() > deadline:
            raise SystemExit("the go file never appeared")
        time.sleep(0.002)


def main() -> None:
    command, target, go = sys.argv[1], sys.argv[2], Path(sys.argv[3])
    if command == "open":
        wait_for(go)
        with open_ledger(target) as ledger:
            print(json.dumps(list(ledger.applied_migrations)))
        return
    with open_ledger(target) as ledger:
        wait_for(go)
        if command == "file":
            start, stop, step = (int(value) for value in sys.argv[4:7])
            done = []
            for number in range(start, stop, step):
                result = ledger.file_referral(filing(f"R-{number:05d}"))
                done.append([f"R-{number:05d}", str(result.outcome), result.receipt.receipt_id])
            print(json.dumps(done))
        elif command == "acknowledge":
            done = []
            for number in range(int(sys.argv[4])):
                received = ReceivedReturn(
                    status=AcknowledgementStatus.ACCEPTED,
                    received_at=FORMED + timedelta(days=60, minutes=number),
                    files=(ReceivedFile("return.xlsx", sha256_hex(f"return {number}".encode())),),
                    platform=PLATFORM,
                    period="2026-Q3",
                    submission_id=f"S-{number}",
                    values_digest=sha256_hex(f"values {number}".encode()),
                    late_days=0,
                )
                acknowledged = ledger.record_acknowledgement(received)
                done.append(
                    [str(acknowledged.outcome), acknowledged.acknowledgement.acknowledgement_id]
                )
            print(json.dumps(done))
        else:
            raise SystemExit(f"unknown command {command}")


if __name__ == "__main__":
    main()
