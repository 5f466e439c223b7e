"""Recurrent Studio. No arguments (or a project file): open the desktop app. Sub-commands run headless."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="main.py", description=__doc__)
    commands = parser.add_subparsers(dest="command")
    gui = commands.add_parser("gui", help="open the desktop app (the default)")
    gui.add_argument("project", nargs="?", type=Path, help="project file to open")

    train = commands.add_parser("train", help="train a project and write a run folder")
    train.add_argument("project", type=Path)
    train.add_argument("--steps", type=int, help="training steps (default: the project's)")
    train.add_argument("--probe-every", type=int, help="probe recurrent blocks every N steps; 0 turns probes off")
    train.add_argument("--seed", type=int, help="random seed (default: the project's)")
    train.add_argument("--runs-dir", type=Path, help="where run folders go (default: runs/ beside the project)")
    train.add_argument("--nproc", type=int, help="processes on this machine (DDP; default: the project's)")
    train.add_argument("--nnodes", type=int, default=1, help="machines taking part; each runs this command")
    train.add_argument("--node-rank", type=int, default=0, help="this machine's number, 0 to nnodes-1; 0 hosts the run")
    train.add_argument("--rdzv-endpoint", help="HOST:PORT of node 0 when several machines take part")
    train.add_argument("--join-timeout", type=float, default=60.0, help="seconds to wait for the other machines")
    train.add_argument("--backend", choices=("auto", "gloo", "nccl"), default="auto", help="gloo on CPU, nccl on GPUs")
    train.add_argument("--tensorboard", type=Path, metavar="DIR", help="also write TensorBoard event files to DIR")

    validate = commands.add_parser("validate", help="list a project's problems; exit 1 when invalid")
    validate.add_argument("project", type=Path)
    summary = commands.add_parser("summary", help="table of blocks, output shapes and parameter counts")
    summary.add_argument("project", type=Path)

    new = commands.add_parser("new", help="write a ready project from a CSV (forecaster) or text file (char model)")
    new.add_argument("project", type=Path, help="the project file to write (.rsproj)")
    new.add_argument("--data", required=True, help="a CSV or text file, or a built-in series such as builtin:nile")
    new.add_argument("--target", help="the column to forecast (default: the last numeric column)")
    new.add_argument("--cell", default="lstm", choices=("lstm", "gru", "rnn"), help="the recurrent cell")
    new.add_argument("--window", type=int, help="rows per sample (default: one season, or 24)")
    new.add_argument("--horizon", type=int, default=1, help="predict the next K values (default 1)")
    new.add_argument("--layout", choices=("long", "wide"), help="long: a row per step; wide: a row per period")
    new.add_argument("--transform", default="none", choices=("none", "log", "diff", "seasonal-diff"))
    new.add_argument("--label-column", help="a classifier instead: the column holding each row's (sequence's) class")
    new.add_argument("--text-column", help="with --label-column: the column holding each row's text")
    new.add_argument("--sequence-column", help="with --label-column: long format, the column naming the sequence")
    new.add_argument("--time-column", default="", help="with --sequence-column: the column ordering each sequence")
    inspect = commands.add_parser(
        "inspect", help="report what the probes of a run saw: gates, gradients, spectral radii"
    )
    inspect.add_argument("run_dir", type=Path, help="a run folder (runs/<time>-<project>)")
    export = commands.add_parser("export", help="write a run's trained model as PyTorch code, safetensors or ONNX")
    export.add_argument("run_dir", type=Path, help="a run folder (runs/<time>-<project>)")
    export.add_argument("--format", required=True, choices=("py", "safetensors", "onnx"), help="what to write")
    export.add_argument("-o", "--out", required=True, type=Path, help="the file to write")
    board = commands.add_parser("export-tensorboard", help="write a run's metrics and probes as TensorBoard events")
    board.add_argument("run_dir", type=Path, help="a run folder (runs/<time>-<project>)")
    board.add_argument("-o", "--out", type=Path, help="folder for the event files (default: RUN_DIR/tensorboard)")
    compare = commands.add_parser(
        "compare", help="train a project once per recurrent cell type and tabulate the results"
    )
    compare.add_argument("project", type=Path)
    compare.add_argument("--cells", default="rnn,lstm,gru", help="comma-separated cells to try (default: rnn,lstm,gru)")
    compare.add_argument(
        "--match-params",
        action="store_true",
        help="size the hidden layers so every variant has about the project's parameter count",
    )
    compare.add_argument("--steps", type=int, help="training steps per variant (default: the project's)")
    compare.add_argument("--target-loss", type=float, help="report the first step whose validation loss reaches this")
    compare.add_argument("--out", type=Path, help="folder for the CSV and the run folders (default: runs/compare-...)")
    compare.add_argument("--hidden-sizes", help="comma-separated hidden sizes: compare the cells once per size")
    compare.add_argument("--seeds", type=int, default=1, help="train every variant with this many seeds (default 1)")
    compare.add_argument("--report", type=Path, help="write the claims report (one self-contained HTML file) here")
    add_cell_parser(commands)
    parser.command_names = set(commands.choices)
    return parser


def add_cell_parser(commands) -> None:
    """`cell PROJECT BLOCK [action]`: the cell editor's actions, headless (engine.cells.cli_commands)."""
    cell = commands.add_parser("cell", help="list a Custom cell block's cell, or edit it and save the project")
    cell.add_argument("project", type=Path)
    cell.add_argument("block", help="the block's name")
    action = cell.add_mutually_exclusive_group()
    action.add_argument("--open", action="store_true", help="turn an RNN, LSTM or GRU block into a Custom cell")
    action.add_argument("--add", metavar="OP", help="add a node of primitive OP (linear, sigmoid, tanh, add, ...)")
    cell.add_argument("--inputs", metavar="A,B", help="with --add: the names the new node reads, in order")
    cell.add_argument("--id", metavar="NAME", help="with --add: the new node's name (default: OP_1, OP_2, ...)")
    action.add_argument("--remove", metavar="NODE", help="delete a node")
    action.add_argument(
        "--connect",
        nargs=2,
        metavar=("SRC", "DST[:SLOT]"),
        help="wire SRC into input SLOT of DST (from 1; default: a new last input), or into new:STATE",
    )
    cell.add_argument(
        "--fix-wire", type=int, metavar="N", help="with --connect: apply fix N offered for a refused wire"
    )
    action.add_argument("--disconnect", nargs=2, metavar=("SRC", "DST[:SLOT]"), help="remove a wire")
    action.add_argument("--gate", nargs=2, metavar=("NODE", "NAME"), help="mark a sigmoid as gate NAME ('' unmarks)")
    action.add_argument("--set", nargs=3, metavar=("NODE", "SETTING", "VALUE"), help="set a node's setting")
    action.add_argument("--add-state", metavar="NAME", help="declare another state")
    action.add_argument("--remove-state", metavar="NAME", help="drop a state (a cell keeps at least one)")
    action.add_argument("--rename", nargs=2, metavar=("OLD", "NEW"), help="rename a node or state everywhere")
    action.add_argument("--fix", type=int, metavar="N", help="apply fix N from the listing")
    action.add_argument("--save-to-library", type=Path, metavar="FOLDER", help="write the cell as a cell file")
    action.add_argument("--source", action="store_true", help="print the cell as a readable PyTorch nn.Module")
    action.add_argument("--template", metavar="NAME", help="replace the cell with a template (lstm, gru, rnn, ...)")


def with_command(argv: list[str], parser: argparse.ArgumentParser) -> list[str]:
    """`main.py PROJECT` means `main.py gui PROJECT`: what a file manager or a user types first."""
    if argv and argv[0] not in parser.command_names and not argv[0].startswith("-"):
        return ["gui", *argv]
    return argv


def open_window(project: Path | None) -> int:
    from gui.preflight import check, describe, package_manager

    report = check()  # before Qt: its own message names one missing library at best
    if not report.ok:
        print(describe(report, package_manager()), file=sys.stderr)
        return 1
    from gui.app import run

    return run(project)


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(with_command(sys.argv[1:] if argv is None else argv, parser))
    from engine import cli

    if args.command == "train":
        launch = {name: getattr(args, name) for name in cli.LAUNCH_OPTIONS}
        return cli.train_command(
            args.project, args.steps, args.probe_every, args.runs_dir, args.seed, launch, args.tensorboard
        )
    if args.command == "validate":
        return cli.validate_command(args.project)
    if args.command == "summary":
        return cli.summary_command(args.project)
    if args.command == "export":
        return cli.export_command(args.run_dir, args.format, args.out)
    if args.command == "export-tensorboard":
        return cli.export_tensorboard_command(args.run_dir, args.out)
    if args.command == "inspect":
        return cli.inspect_command(args.run_dir)
    if args.command == "new" and args.label_column:
        return cli.new_classifier_command(
            args.project,
            Path(args.data),
            args.label_column,
            args.text_column,
            args.sequence_column,
            args.time_column,
            args.cell,
        )
    if args.command == "new":
        from engine.new_project import NewProjectChoices

        options = ("data", "target", "cell", "window", "horizon", "layout", "transform")
        return cli.new_command(args.project, NewProjectChoices(**{name: getattr(args, name) for name in options}))
    if args.command == "compare":
        return cli.compare_command(
            args.project,
            args.cells,
            args.match_params,
            args.steps,
            args.target_loss,
            args.out,
            args.hidden_sizes,
            args.seeds,
            args.report,
        )
    if args.command == "cell":
        from engine.cells.cli_commands import CELL_OPTIONS, cell_command

        return cell_command(args.project, args.block, {name: getattr(args, name) for name in CELL_OPTIONS})
    return open_window(getattr(args, "project", None))


if __name__ == "__main__":
    sys.exit(main())
