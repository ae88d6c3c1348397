from __future__ import annotations

import numpy as np
from PIL import Image

from clusters.plots import drawable_axis_label, write_scatter


def test_axis_name_parts_the_font_cannot_draw_are_left_out():
    assert drawable_axis_label("Acoustic, 트로트, Older", "First") == "Acoustic, Older"
    assert drawable_axis_label("מזרחית", "First principal component") == "First principal component"
    assert drawable_axis_label("Fast, k-pop", "First") == "Fast, k-pop"


def test_the_scatter_plot_is_a_png_written_at_the_given_path(tmp_path):
    rng = np.random.default_rng(0)
    path = tmp_path / "clusters" / "7" / "clusters_scatter.png"
    write_scatter(path, xy=rng.normal(size=(50, 2)), numbers=np.repeat([1, 2], 25), x_axis="Acoustic, 悪ノ娘",
                  y_axis="Fast")  # fmt: skip
    with Image.open(path) as image:
        assert image.format == "PNG"
        assert image.size == (700, 700)
    assert not list(path.parent.glob("*.tmp.png"))
