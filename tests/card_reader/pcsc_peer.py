"""Another program on the machine that uses PC/SC: run as its own process by the tests.

    python -m tests.card_reader.pcsc_peer hold READER   # EXCLUSIVE until stdin closes
    python -m tests.card_reader.pcsc_peer share READER  # one SHARED connect, then exit
    python -m tests.card_reader.pcsc_peer direct READER # DIRECT (no card needed) until stdin closes

It prints one line: "held" / "shared" on success, else the PC/SC error as 8 hex digits.
It finds the tests' private pcscd through PCSCLITE_CSOCK_NAME, inherited from the test.
"""

from __future__ import annotations

import sys

from smartcard import scard

MODES = {
    "hold": scard.SCARD_SHARE_EXCLUSIVE,
    "share": scard.SCARD_SHARE_SHARED,
    "direct": scard.SCARD_SHARE_DIRECT,  # e.g. a vendor's reader tool; needs no card
}
HOLDING = ("hold", "direct")


def main(mode: str, reader: str) -> int:
    hresult, context = scard.SCardEstablishContext(scard.SCARD_SCOPE_USER)
    if hresult != scard.SCARD_S_SUCCESS:
        print(f"{hresult & 0xFFFFFFFF:08X}", flush=True)
        return 1
    protocols = 0 if mode == "direct" else scard.SCARD_PROTOCOL_T0 | scard.SCARD_PROTOCOL_T1
    hresult, card, _protocol = scard.SCardConnect(context, reader, MODES[mode], protocols)
    if hresult != scard.SCARD_S_SUCCESS:
        print(f"{hresult & 0xFFFFFFFF:08X}", flush=True)
        scard.SCardReleaseContext(context)
        return 1
    print("held" if mode in HOLDING else "shared", flush=True)
    if mode in HOLDING:
        sys.stdin.read()  # until the test closes our stdin
    scard.SCardDisconnect(card, scard.SCARD_LEAVE_CARD)
    scard.SCardReleaseContext(context)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1], sys.argv[2]))
