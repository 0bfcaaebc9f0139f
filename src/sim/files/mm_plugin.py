"""Media reading of the simulated MindSpeed-MM (ascend-train sim): mindspeed_mm/data/data_utils/func_utils/mm_plugin.py.

While the dataset is preprocessed, upstream's converter joins each image or video path of a record to dataset_dir
(keeping the path as given, with a warning, when that join is not a file; InternVL's dataset joins it to data_folder),
and the multimodal plugin opens every image with PIL. A path that does not exist fails there with FileNotFoundError,
the run stops before its first iteration. This stand-in reads the first records and opens their files the same way
(PIL.Image.open opens the path for reading first); the simulated host has no PIL.
"""
import builtins
import json
import os
import sys
import time

FIRST_RECORDS = 64


class Image:
    """The part of PIL.Image this plugin uses."""

    @staticmethod
    def open(fp, mode="r", formats=None):
        filename = fp
        fp = builtins.open(filename, "rb")
        return fp


def _warning(msg):
    sys.stdout.write("[%s] [WARNING] [convert.py] %s\n" % (time.strftime("%Y-%m-%d %H:%M:%S"), msg))
    sys.stdout.flush()


def _head_records(path, limit):
    """The first records of a JSON array or JSON Lines file."""
    with open(path, encoding="utf-8") as f:
        text = f.read()
    try:
        data = json.loads(text)
        return data[:limit] if isinstance(data, list) else [data]
    except ValueError:
        out = []
        for line in text.splitlines():
            if len(out) >= limit:
                break
            if line.strip():
                try:
                    out.append(json.loads(line))
                except ValueError:
                    break
        return out


def _media_of(record, keys):
    out = []
    for key in keys:
        value = record.get(key) if isinstance(record, dict) else None
        for v in value if isinstance(value, list) else [value]:
            if isinstance(v, str) and v:
                out.append(v)
    return out


class DatasetConverter:
    """convert.py's DatasetConverter: media paths under dataset_dir, else as given."""

    def __init__(self, dataset_dir, keep_original):
        self.dataset_dir = dataset_dir
        self.keep_original = keep_original

    def _find_media_files(self, media_files):
        media_files = media_files[:]
        for i, media in enumerate(media_files):
            if os.path.isfile(os.path.join(self.dataset_dir, media)) or not self.keep_original:
                media_files[i] = os.path.join(self.dataset_dir, media)
            else:
                _warning("Media %s does not exist in `media_dir`. Use original path." % media)
        return media_files


class BasePlugin:
    def _regularize_images(self, images, **kwargs):
        """Regularize images to avoid error. Including reading and pre-processing."""
        results = []
        for image in images:
            if isinstance(image, str):
                image = Image.open(image)
            image.close()
            results.append(image)
        return {"images": results}


def preprocess_dataset(path, dataset_dir, attr, keep_original=True):
    """Reads the first records of one dataset file and opens their media, as the preprocessing map does."""
    attr = attr or {}
    keys = [attr.get("images", "images"), attr.get("videos", "videos"), "image", "video"]
    converter = DatasetConverter(dataset_dir or "", keep_original)
    plugin = BasePlugin()
    for record in _head_records(path, FIRST_RECORDS):
        media = _media_of(record, [k for k in keys if k])
        if media:
            plugin._regularize_images(converter._find_media_files(media))
