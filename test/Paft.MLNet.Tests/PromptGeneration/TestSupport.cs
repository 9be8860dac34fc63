using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace Paft.MLNet.Tests.PromptGeneration;

/// <summary>Keeps every log line at every level, for tests that read what was logged.</summary>
internal sealed class CapturingLogger : ILogger
{
    private readonly ConcurrentQueue<string> _lines = new();

    public IReadOnlyList<string> Lines => _lines.ToArray();

    public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;
    public bool IsEnabled(LogLevel logLevel) => true;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
        _lines.Enqueue($"{logLevel}: {formatter(state, exception)}{(exception is null ? "" : " " + exception)}");
}

/// <summary>An IProgress that records reports as they happen (Progress&lt;T&gt; would post them later).</summary>
internal sealed class RecordingProgress<T> : IProgress<T>
{
    private readonly ConcurrentQueue<T> _reports = new();
    public IReadOnlyList<T> Reports => _reports.ToArray();
    public void Report(T value) => _reports.Enqueue(value);
}

/// <summary>A fresh folder under the system temp directory, deleted on dispose.</summary>
internal sealed class TempDirectory : IDisposable
{
    public TempDirectory() => Directory.CreateDirectory(Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "paft-llmgen-" + Guid.NewGuid().ToString("N")));
    public string Path { get; }
    public void Dispose()
    {
        if (Directory.Exists(Path))
            Directory.Delete(Path, recursive: true);
    }
}
