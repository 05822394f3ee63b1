"""`owlv2` goal detector backend: open-vocabulary boxes from transformers' OWLv2, for robots.

Weights come from the user's Hugging Face cache or a local folder (no download unless allowed).
Only the image processor and the tokenizer are used (the full processor class is not needed).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import cv2
import numpy as np
import torch
from transformers.image_transforms import center_to_corners_format

from filmnav_detection.detector import DEFAULT_OWLV2_MODEL


@dataclass(frozen=True)
class BoxDetection:
    label: str  # the text query that matched (image queries: the caller's label)
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
            self.tokenizer = AutoTokenizer.from_pretrained(
                model, local_files_only=local_files_only
            )
            self.image_processor = Owlv2ImageProcessorPil.from_pretrained(
                model, local_files_only=local_files_only
            )
            self.model = Owlv2ForObjectDetection.from_pretrained(
                model, local_files_only=local_files_only
            )
        except OSError as error:
            raise FileNotFoundError(
                f"OWLv2 weights {model!r} are not in the local Hugging Face cache or path; "
                f"download them once (e.g. `hf download {DEFAULT_OWLV2_MODEL}`) or pass a local "
                f"folder ({error})"
            ) from error
        self.device = torch.device(device or ("cuda" if torch.cuda.is_available() else "cpu"))
        self.model.to(self.device).eval()
        self.score_threshold = score_threshold

    def _pixel_values(self, rgb: np.ndarray) -> torch.Tensor:
        pixels = self.image_processor(
            images=[np.ascontiguousarray(rgb[..., :3])], return_tensors="pt"
        )
        return pixels["pixel_values"].to(self.device)

    @staticmethod
    def _ranked(
        labels: Sequence[str], scores: np.ndarray, boxes: np.ndarray, height: int, width: int
    ) -> list[BoxDetection]:
        """Detections best first; `boxes` are x0, y0, x1, y1 in the padded square's pixels
        (OWLv2 pads the image at the bottom/right), clipped to the image."""
        boxes = (
            np.clip(boxes, 0, [width - 1, height - 1, width - 1, height - 1]).round().astype(int)
        )
        return [
            BoxDetection(labels[i], float(scores[i]), tuple(int(v) for v in boxes[i]))
            for i in np.argsort(-scores, kind="stable")
        ]

    @torch.inference_mode()
    def detect(self, rgb: np.ndarray, queries: Sequence[str]) -> list[BoxDetection]:
        """Boxes for any of the text queries in one RGB image, best first."""
        if not queries:
            raise ValueError("need at least one text query")
        height, width = rgb.shape[:2]
        text = self.tokenizer(
            list(queries),
            padding="max_length",
            truncation=True,
            max_length=16,
            return_tensors="pt",
        )
        outputs = self.model(
            input_ids=text["input_ids"].to(self.device),
            attention_mask=text["attention_mask"].to(self.device),
            pixel_values=self._pixel_values(rgb),
        )
        side = max(height, width)
        result = self.image_processor.post_process_object_detection(
            outputs, threshold=self.score_threshold, target_sizes=[(side, side)]
        )[0]
        labels = [queries[int(label)] for label in result["labels"]]
        return self._ranked(
            labels, result["scores"].cpu().numpy(), result["boxes"].cpu().numpy(), height, width
        )

    @torch.inference_mode()
    def detect_image(
        self,
        rgb: np.ndarray,
        query_rgb: np.ndarray,
        label: str = "goal image",
        nms_threshold: float = 0.3,
    ) -> list[BoxDetection]:
        """Boxes of the object shown in `query_rgb` (OWLv2 image-guided detection), best first.

        Scores are the raw box-query similarities through a sigmoid, thresholded like text queries
        (transformers' own post-processing rescales them so the best box always scores 1)."""
        height, width = rgb.shape[:2]
        outputs = self.model.image_guided_detection(
            pixel_values=self._pixel_values(rgb), query_pixel_values=self._pixel_values(query_rgb)
        )
        scores = torch.sigmoid(outputs.logits[0].max(dim=-1).values).cpu().numpy()
        side = max(height, width)
        boxes = (center_to_corners_format(outputs.target_pred_boxes[0]) * side).cpu().numpy()
        keep = np.flatnonzero(scores >= self.score_threshold)
        xywh = np.column_stack([boxes[keep, :2], boxes[keep, 2:] - boxes[keep, :2]])
        kept = keep[
            np.asarray(
                cv2.dnn.NMSBoxes(xywh.tolist(), scores[keep].tolist(), 0.0, nms_threshold), int
            ).reshape(-1)
        ]
        return self._ranked([label] * len(scores), scores[kept], boxes[kept], height, width)
