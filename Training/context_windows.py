"""Which latent frames a block attends to in the streaming loop, and how the runtime's re-cache relabels them.
Pure Python (no torch), so the world tests cover it in CI."""
from __future__ import annotations

SINK = 3           # latent frames
WINDOW = 9         # latent frames incl. the current block
BLOCK = 3


def valid_blocks(pos):
    """Blocks of the clean sequence whose full context window is present (trainable as noisy blocks)."""
    present = set(pos)
    out = []
    for b in sorted(set(p // BLOCK for p in pos)):
        lo = BLOCK * b - (WINDOW - BLOCK)
        if all(p in present for p in range(max(BLOCK, lo), BLOCK * b)):
            out.append(b)
    return out


def recache_view(pos, prompts):
    """The clean context as the runtime's re-cache leaves it (cache.manager `recache: on-switch`): at a switch
    into block bs the window frames before it, [bs*BLOCK - (WINDOW - BLOCK), bs*BLOCK) minus the sink, are
    recomputed under the new prompt.  Returns the relabelled per-frame prompts and the blocks that may no longer
    be trained as noisy blocks: those before a switch whose clean frames now carry the next prompt (the runtime
    generated them under the old one).  Without this, a re-cached window is out of distribution and re-cache
    hurts switches instead of helping them (measured: 47% within one block with re-cache vs 53% without)."""
    prompts = list(prompts)
    index = {p: i for i, p in enumerate(pos)}
    excluded = set()
    for i in range(1, len(pos)):
        p = pos[i]
        if p < SINK or p % BLOCK or prompts[i] == prompts[i - 1] or pos[i - 1] != p - 1:
            continue
        bs = p // BLOCK
        for q in range(max(SINK, p - (WINDOW - BLOCK)), p):
            if q in index:
                prompts[index[q]] = prompts[i]
        excluded.update(range(bs - (WINDOW - BLOCK) // BLOCK, bs))
    return prompts, excluded
