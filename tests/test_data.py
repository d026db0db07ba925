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


def test_an_empty_dataset_name_is_no_folder_and_a_set_named_twice_is_one(tmp_path, monkeypatch):
    """`--dataset ""` was Path(""), the working folder: eval, bench and quantize's --val graded
    whatever images it held. `--dataset Set5,Set5` printed two tables of one set."""
    from PIL import Image

    from xeonsr.evaluate import dataset_names

    Image.new("RGB", (30, 30)).save(tmp_path / "stray.png")
    monkeypatch.chdir(tmp_path)
    for empty in ("", " "):
        with pytest.raises(DatasetError, match="an empty dataset name"):
            dataset_files(empty, None)
    assert dataset_names("Set5,Set14,Set5") == ["Set5", "Set14"]
