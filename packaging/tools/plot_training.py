#!/usr/bin/python3
"""Loss curves of the bundled models: training loss (moving mean) and validation loss against optimiser
steps, one panel per model: the history of the weights a run warm-started from ($SPE_RUNS/<model>/
base-log.csv, kept by packaging/train-bundled.sh; without a run, resources/models/<model>/training/log.csv)
followed by the steps of the background trainer's run ($SPE_RUNS/<model>/training/log.csv), counted on.

Usage: packaging/tools/plot_training.py -o docs/results/loss-curves.png [--runs DIR] [--models "pop-sine ..."]
                                        [--smooth 25]
Needs python3-matplotlib (Debian). The PNG is written to a temporary file and renamed.
"""
import argparse
import os
import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

from join_training_logs import join, rows  # noqa: E402  (beside this file)

MODELS = "pop-sine pop-sine-ungated pop-conv pop-conv-ungated pop-ape groove-sine"


def curves(log_rows):
    """(steps, train losses, [(step, validation loss)]) of log.csv rows."""
    try:
        train = [float(r["train_loss"]) for r in log_rows]
        val = [(r["step"], float(r["val_loss"])) for r in log_rows if r.get("val_loss")]
    except (KeyError, ValueError) as e:
        sys.exit(f"plot_training: {e}")
    return [r["step"] for r in log_rows], train, val


def moving_mean(values, window):
    out, total = [], 0.0
    for i, v in enumerate(values):
        total += v
        if i >= window:
            total -= values[i - window]
        out.append(total / min(i + 1, window))
    return out


def main():
    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("-o", "--output", required=True)
    p.add_argument("--runs", default=os.environ.get("SPE_RUNS", ""), help="the background trainer's runs folder")
    p.add_argument("--models", default=MODELS)
    p.add_argument("--smooth", type=int, default=25, help="training-loss moving mean, in steps")
    a = p.parse_args()
    models = a.models.split()
    fig, axes = plt.subplots(2, (len(models) + 1) // 2, figsize=(5 * ((len(models) + 1) // 2), 7.5), squeeze=False)
    for ax, model in zip(axes.flat, models):
        # The run continues the weights whose log it kept (base-log.csv); without a run, the committed log.
        base = os.path.join(a.runs, model, "base-log.csv") if a.runs else ""
        if not (base and os.path.exists(base)):
            base = os.path.join(root, "resources", "models", model, "training", "log.csv")
        run_log = os.path.join(a.runs, model, "training", "log.csv") if a.runs else ""
        if run_log and os.path.exists(run_log):
            _, log_rows, offset = join(base, run_log, program="plot_training")
        else:
            log_rows, offset = rows(base, "plot_training")[1], None
        steps, train, val = curves(log_rows)
        if offset is not None:
            ax.axvline(offset, color="grey", linestyle=":", linewidth=1)
            ax.text(offset, 1.0, " warm start", transform=ax.get_xaxis_transform(), va="top", fontsize=8,
                    color="grey")
        ax.plot(steps, moving_mean(train, a.smooth), label=f"training (mean of {a.smooth} steps)", linewidth=1.2)
        if val:
            ax.plot([s for s, _ in val], [v for _, v in val], "o-", label="validation", markersize=3)
            best = min(v for _, v in val)
            ax.set_title(f"{model}: {steps[-1]} steps, best validation {best:.3f}", fontsize=10)
        else:
            ax.set_title(f"{model}: {steps[-1]} steps", fontsize=10)
        ax.set_xlabel("optimiser step")
        ax.set_ylabel("cross-entropy (nats)")
        ax.set_ylim(top=min(4.0, max(train)))
        ax.grid(alpha=0.3)
        ax.legend(fontsize=8)
    for ax in list(axes.flat)[len(models):]:
        ax.axis("off")
    fig.tight_layout()
    tmp = a.output + ".tmp.png"
    fig.savefig(tmp, dpi=90)
    os.replace(tmp, a.output)


if __name__ == "__main__":
    main()
