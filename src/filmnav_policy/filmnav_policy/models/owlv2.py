"""`owlv2` goal detector backend: open-vocabulary boxes from transformers' OWLv2, for robots.

Weights come from the user's Hugging Face cache or a local folder (no download unless allowed).
Only the image processor and the tokenizer are used (the full processor class is not needed).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import torch

DEFAULT_OWLV2_MODEL = "google/owlv2-base-patch16-ensemble"


@dataclass(frozen=True)
class BoxDetection:
    label: str  # the text query that matched
    score: float  # in [0, 1]
    box: tuple[int, int, int, int]  # x_min, y_min, x_max, y_max in image pixels


class Owlv2Detector:
    name = "owlv2"

    def __init__(
        self,
        model: str = DEFAULT_OWLV2_MODEL,
        score_threshold: float = 0.2,
        device: str | None = None,
        local_files_only: bool = True,
    ):
        from transformers import AutoTokenizer, Owlv2ForObjectDetection
        from transformers.models.owlv2.image_processing_pil_owlv2 import Owlv2ImageProcessorPil

        try:
            self.tokenizer = AutoTokenizer.from_pretrained(model, local_files_only=local_files_only)
            self.image_processor = Owlv2ImageProcessorPil.from_pretrained(
                model, local_files_only=local_files_only
            )
            self.model = Owlv2ForObjectDetection.from_pretrained(model, local_files_only=local_files_only)
        except OSError as error:
            raise FileNotFoundError(
                f"OWLv2 weights {model!r} are not in the local Hugging Face cache or path; download them "
                f"once (e.g. `hf download {DEFAULT_OWLV2_MODEL}`) or pass a local folder ({error})"
            ) from error
        self.device = torch.device(device or ("cuda" if torch.cuda.is_available() else "cpu"))
        self.model.to(self.device).eval()
        self.score_threshold = score_threshold

    @torch.inference_mode()
    def detect(self, rgb: np.ndarray, queries: Sequence[str]) -> list[BoxDetection]:
        """Boxes for any of the text queries in one RGB image, best first."""
        if not queries:
            raise ValueError("need at least one text query")
        height, width = rgb.shape[:2]
        text = self.tokenizer(
            list(queries), padding="max_length", truncation=True, max_length=16, return_tensors="pt"
        )
        pixels = self.image_processor(images=[np.ascontiguousarray(rgb[..., :3])], return_tensors="pt")
        outputs = self.model(
            input_ids=text["input_ids"].to(self.device),
            attention_mask=text["attention_mask"].to(self.device),
            pixel_values=pixels["pixel_values"].to(self.device),
        )
        # OWLv2 pads the image to a square at the bottom/right: boxes are relative to that square.
        side = max(height, width)
        result = self.image_processor.post_process_object_detection(
            outputs, threshold=self.score_threshold, target_sizes=[(side, side)]
        )[0]
        boxes = result["boxes"].cpu().numpy()
        boxes = np.clip(boxes, 0, [width - 1, height - 1, width - 1, height - 1]).round().astype(int)
        order = np.argsort(-result["scores"].cpu().numpy())
        return [
            BoxDetection(
                queries[int(result["labels"][i])], float(result["scores"][i]), tuple(int(v) for v in boxes[i])
            )
            for i in order
        ]
