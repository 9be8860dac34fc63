using System.CommandLine;

namespace Paft.Cli.Commands;

/// <summary>The list of top-level commands; one line a command.</summary>
internal static class CommandRegistry
{
    public static IEnumerable<Command> All()
    {
        yield return DemoCommand.Create();
        yield return SweepCommand.Create();
        yield return InitCommand.Create();
        yield return TrainCommand.Create();
        yield return CodegenCommand.Create();
        yield return ExportCommand.Create();
        yield return EvalCommand.Create();
        yield return CompareCommand.Create();
        yield return ReportCommand.Create();
        yield return PromptsCommand.Create();
        yield return GenerateCommand.Create();
        yield return ExtractCommand.Create();
        yield return ScoreCommand.Create();
        yield return LoraCommand.Create();
    }
}
