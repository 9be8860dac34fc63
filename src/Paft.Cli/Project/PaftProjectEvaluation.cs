namespace Paft.Cli.Project;

/// <summary>
/// How a project's model is evaluated: the test rows and the held-out template pool (the test side of the template
/// split; the training pool is <c>train.prompts</c>). <c>paft train --config</c> prints the <c>paft eval</c> command of them.
/// </summary>
internal sealed record PaftProjectEvaluation
{
    /// <summary>The test rows, in the task's format.</summary>
    public string? Data { get; init; }

    /// <summary>The test template pool, disjoint from the training pool.</summary>
    public string? Prompts { get; init; }
}
