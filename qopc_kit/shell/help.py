"""The shell's documentation: one entry per verb, as ``help`` prints it."""

from __future__ import annotations

HELP: dict[str, str] = {
    "start": """acopc start -g GROUP [-p PAIR] [-diff | -auto | -r]
    Start QuickOPC on every pair of GROUP (or on PAIR, written ET001/0x1:ET001/0x6).
    The logical copy completes at once ("copied"); the physical copy runs in the
    background, copy-rate blocks per tick. No option: full copy (the pair must have no
    session). -diff: differential copy (needs Tracking or Copying/Tracking). -auto: full
    from No session, differential from Tracking or Copying/Tracking, cancel then full from
    Error suspend. -r: reverse OPC, destination to source (needs Tracking).
    A group command is all or none: one refused pair refuses the command.""",
    "cancel": """acopc cancel -g GROUP [-p PAIR] [-r]
    Stop the QuickOPC session (with -r: the reverse OPC). From Copying/Tracking the
    destination becomes unusable (its physical copy is incomplete); from Tracking it
    keeps a complete image of the last logical copy.""",
    "query": """acopc query -g GROUP [-p PAIR] [-r]
    One row per pair: Source <=> Target, SID, OPC Status, Copy Phase, Copied Block,
    Rest Block (with -r: the reverse OPC sessions).""",
    "acarray": """acarray add -a ARRAY [-copy-rate N] [-max-sessions N]
    Register the disk array (first line of a script only; the default is ET001, copy
    rate 1, 8 sessions per source).""",
    "acgroup": """acgroup create -g GROUP -type QuickOPC -a ARRAY
    Create an empty QuickOPC copy group; add its pairs with acpair add.
acgroup detail -g GROUP
    List the group's pairs.""",
    "acpair": """acpair add -g GROUP -p SOURCE:DESTINATION
    Add a pair (ET001/0x1:ET001/0x6, or 0x1:0x6) to a copy group; a group already in
    use takes it too, and its next group command includes it.""",
    "volume": """volume add VOLUME blocks N [block-size BYTES]
    Create a zeroed volume, e.g. volume add 0x1 blocks 16.""",
    "write": """write VOLUME BLOCKS DATA
    Host write. BLOCKS: 3, 0-3 (inclusive), 0,2,5-7, all or none. DATA: text (ABCD,
    or "A B" in double quotes), or hex:41420a; one byte fills every block, one block's
    worth is repeated, or give every block's bytes. Source writes to queued blocks are
    copied to the destination first; destination writes take blocks off the queue.""",
    "read": """read VOLUME [BLOCKS]
    Host read of the logical image; printable blocks show as text, others in hex.
    A destination block still queued is copied first (copy-on-read). An unusable
    volume is flagged.""",
    "show": """show VOLUME | show PAIR
    Without side effects: a volume's logical and physical blocks, or a pair's bitmaps
    (queued, source-tracked, destination-tracked, rolled back), 1 = set.""",
    "tick": """tick [N]
    Advance the background copier N ticks (default 1).""",
    "run": """run
    Tick until every physical copy has ended.""",
    "copy-rate": """copy-rate N
    Blocks each session copies per tick, from now on (running sessions included).""",
    "fail": """fail VOLUME
    Inject a failure: every session on VOLUME goes to Error suspend.""",
    "help": """help [VERB]
    This text, or one verb's. Lines starting with # are comments.""",
}
TOPICS = {"acopc": "start"}


def help_text(topic: str | None = None) -> str:
    """The shell's documentation: every verb's usage, or one verb's in full."""
    if topic is not None:
        return HELP[TOPICS.get(topic, topic)]
    first = [text.splitlines()[0] for text in HELP.values()]
    return "\n".join(["Commands (help VERB for details; # starts a comment):",
                      *(f"  {line}" for line in first)])
