"""Datasets: the held-out validation images are never trained on and never a test set."""

import pytest

from xeonsr.data import HELD_OUT, DatasetError, dataset_files


def test_bsd200_val_is_held_out_of_bsd200_training(data_dir):
    label, val = dataset_files("BSD200-val", data_dir)
    assert label == "BSD200-val" and [p.stem for p in val] == list(HELD_OUT["BSD200"]) and len(val) == 20
    _, train = dataset_files("BSD200", data_dir, training=True)
    _, every = dataset_files("BSD200", data_dir)
    assert len(every) == 200 and len(train) == 180
    assert not {p.stem for p in train} & {p.stem for p in val}
    with pytest.raises(DatasetError, match="never trained on"):
        dataset_files("BSD200-val", data_dir, training=True)


def test_a_missing_dataset_is_one_clear_error(tmp_path):
    with pytest.raises(DatasetError, match="not found"):
        dataset_files("BSD200-val", tmp_path)
    (tmp_path / "BSD200").mkdir()
    with pytest.raises(DatasetError, match="lacks the held-out images"):
        dataset_files("BSD200-val", tmp_path)
