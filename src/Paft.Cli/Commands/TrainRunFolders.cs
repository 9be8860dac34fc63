using Paft.Cli.Reporting;
using Paft.Cli.Terminal;
using Paft.Llama.Training;
using Paft.MLNet;
using Paft.MLNet.Model;

namespace Paft.Cli.Commands;

/// <summary>
/// Makes the output and checkpoint folders belong to one run before <c>paft train</c> writes to them: a fresh run
/// neither replaces another run's model nor trains among another run's checkpoints (whose pruning by step number would
/// then delete the new run's) without <c>--force</c>; <c>--resume</c> continues only the run the checkpoints record
/// (<see cref="TrainRunRecord"/>), and keeps the training log and the checkpoints in step with each other.
/// </summary>
internal static class TrainRunFolders
{
    /// <summary>Checks and claims the folders; returns whether the checkpoints are this run's, to resume from.</summary>
    /// <exception cref="CommandInputException">The folders hold another run's work and <paramref name="force"/> is not set, or
    /// <c>--resume</c> names a run with other settings or files.</exception>
    public static bool Claim(TrainRunRecord run, string outFolder, string checkpoints, bool resume, bool force, TextWriter output, TextWriter error)
    {
        IReadOnlyList<(int Step, string Path)> existing = TrainingCheckpoint.List(checkpoints);
        bool sameRun = false;
        if (existing.Count > 0 && resume)
        {
            if (TrainRunRecord.Load(checkpoints) is { } recorded)
                recorded.RequireSameRun(run, checkpoints);
            else
                error.WriteLine($"warning: '{checkpoints}' has no {TrainRunRecord.FileName} (written by an earlier paft); the settings of its run cannot be checked.");
            sameRun = true;
        }
        else if (existing.Count > 0)
        {
            if (!force)
                throw new CommandInputException(
                    $"--checkpoint-dir '{checkpoints}' holds checkpoints of an earlier run (up to step {existing.Max(c => c.Step)}); " +
                    "add --resume to continue that run, or --force to discard them and start over.");
            foreach ((_, string path) in existing)
                Directory.Delete(path, recursive: true);
            output.WriteLine($"Discarded {existing.Count} checkpoint(s) of an earlier run in '{checkpoints}' (--force).");
        }

        if (File.Exists(Path.Combine(outFolder, PaftTransformer.ManifestFileName)) && !sameRun && !force)
            throw new CommandInputException(
                $"--out '{outFolder}' already holds a model of another run; add --force to replace it, or choose another --out.");
        if (!sameRun)
        {
            // A log without checkpoints is from a run that never reached one; this run's log starts empty.
            string staleLog = Path.Combine(checkpoints, TrainingLog.FileName);
            if (File.Exists(staleLog))
                File.Delete(staleLog);
        }
        run.Save(checkpoints);
        return sameRun;
    }

    /// <summary>
    /// The log to continue and the checkpoint to resume from, in step with each other. Rows the log holds beyond the
    /// checkpoint (steps that are trained again) are dropped. A checkpoint ahead of the log (written just before a kill
    /// stopped its step's row being logged, or before a full disk stopped the write) is deleted, so that the run resumes
    /// from an earlier one and logs that step again: the log never has a gap.
    /// </summary>
    public static (TrainingLog Log, string? Checkpoint) ResumePoint(string checkpoints, TextWriter output, TextWriter error)
    {
        string runningLog = Path.Combine(checkpoints, TrainingLog.FileName);
        string? latest = LoraTrainer.FindLatestCheckpoint(checkpoints);
        if (latest is null)
            return (new TrainingLog(), null);
        if (!File.Exists(runningLog))
        {
            error.WriteLine($"warning: '{runningLog}' is missing; the training log of this run starts after the checkpoint.");
            return (new TrainingLog(), latest);
        }
        TrainingLog log = TrainingLog.Load(runningLog);
        int logged = log.Entries.Count > 0 ? log.Entries[^1].Step : 0;
        IReadOnlyList<(int Step, string Path)> ahead = TrainingCheckpoint.List(checkpoints).Where(c => c.Step > logged).ToList();
        foreach ((int step, string path) in ahead)
        {
            output.WriteLine($"Checkpoint of step {step} is ahead of the training log (last row: step {logged}); it is set aside so that step is trained and logged again.");
            Directory.Delete(path, recursive: true);
        }
        latest = LoraTrainer.FindLatestCheckpoint(checkpoints);
        log.TruncateAfter(latest is null ? 0 : TrainingCheckpoint.ReadGlobalStep(latest));
        return (log, latest);
    }
}
