using Paft.Cli.Tests.Prompts;
using Paft.Cli.Tests.Train;

namespace Paft.Cli.Tests.Codegen;

/// <summary>
/// Built once for all the tests that need it: a project initialised and trained on the tiny fixture, its code generated
/// with <c>--project console --paft-reference</c>, the console project built, and run on five PIQA rows and with <c>--retrain</c>.
/// </summary>
public sealed class GeneratedConsoleProject : IDisposable
{
    private readonly WorkflowTestData _data = new();
    private readonly Lazy<string> _build;

    public GeneratedConsoleProject() => _build = new Lazy<string>(BuildOnce);

    public string ProjectFile => _data.PathOf("Piqa.paftconfig");
    public string ModelFolder => _data.PathOf("Piqa-model");
    public string CodeFolder => _data.PathOf("generated");
    public string RowsFile => _data.PathOf("rows.jsonl");
    public string RetrainedFolder => _data.PathOf("retrained");

    /// <summary>The build's output (the build is run on first use).</summary>
    public string BuildOutput => _build.Value;

    public int BuildExitCode { get; private set; } = -1;

    public (int ExitCode, string Output) Predictions { get; private set; }

    public (int ExitCode, string Output) Retraining { get; private set; }

    private static string Repository()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "Paft.MLNet.sln")))
                return dir.FullName;
        throw new InvalidOperationException("Paft.MLNet.sln was not found above the test assembly.");
    }

    private string BuildOnce()
    {
        string pool = _data.WritePool();
        CliRunner.Result init = CliRunner.Run("init", "--name", "Piqa", "--dir", _data.Folder, "--model", WorkflowTestData.Model, "--task", "piqa",
            "--data", WorkflowTestData.Piqa, "--prompts", pool, "--limit", "4", "--batch-size", "1", "--epochs", "1", "--k", "2", "--lr", "0.001", "--seed", "2");
        Assert.True(init.ExitCode == 0, init.Error);
        CliRunner.Result train = CliRunner.Run("train", "--config", ProjectFile);
        Assert.True(train.ExitCode == 0, train.Error);
        CliRunner.Result codegen = CliRunner.Run("codegen", "--config", ProjectFile, "--out", CodeFolder, "--project", "console",
            "--paft-reference", Path.Combine(Repository(), "src", "Paft.MLNet", "Paft.MLNet.csproj"));
        Assert.True(codegen.ExitCode == 0, codegen.Error);

        // Release: the configuration the test run built Paft.MLNet in, so the reference is up to date and not rebuilt.
        // No build server or node is left running after the test.
        (int exit, string output) = DotnetSdk.Run(DotnetSdk.Path!, CodeFolder, "build", "Piqa.csproj", "-c", "Release", "-nodeReuse:false",
            "-p:UseSharedCompilation=false", "-p:UseRazorBuildServer=false");
        BuildExitCode = exit;
        if (exit == 0)
        {
            File.WriteAllLines(RowsFile, File.ReadLines(WorkflowTestData.Piqa).Take(5));
            File.WriteAllLines(_data.PathOf("rows-labels.lst"), File.ReadLines(Path.Combine(Path.GetDirectoryName(WorkflowTestData.Piqa)!, "valid-labels.lst")).Take(5));
            string app = Path.Combine(CodeFolder, "bin", "Release", $"net{Environment.Version.Major}.0", "Piqa.dll");
            Predictions = DotnetSdk.Run(DotnetSdk.Path!, CodeFolder, app, RowsFile);
            Retraining = DotnetSdk.Run(DotnetSdk.Path!, CodeFolder, app, "--retrain", RetrainedFolder);
        }
        return output;
    }

    public void Dispose() => _data.Dispose();
}
