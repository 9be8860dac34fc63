using System.ClientModel;
using System.ClientModel.Primitives;
using System.Net;
using System.Net.Http.Headers;
using Paft.MLNet.Connectors;
using Paft.MLNet.PromptGeneration;

namespace Paft.MLNet.Tests.PromptGeneration;

public sealed class RetryPolicyTests
{
    [Fact]
    public void Backoff_doubles_with_jitter_and_stops_at_the_cap()
    {
        var policy = new RetryPolicy(10, TimeSpan.FromMilliseconds(100), TimeSpan.FromMilliseconds(1000), TimeSpan.FromMinutes(1), seed: 7);
        double[] expectedBase = [100, 200, 400, 800, 1000, 1000];
        for (int retry = 0; retry < expectedBase.Length; retry++)
            Assert.InRange(policy.NextDelay(retry, null).TotalMilliseconds, expectedBase[retry] * 0.5, expectedBase[retry]);
    }

    [Fact]
    public void The_same_seed_gives_the_same_delays_and_another_seed_others()
    {
        static double[] Delays(int seed)
        {
            var policy = new RetryPolicy(5, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(60), TimeSpan.FromMinutes(1), seed);
            return Enumerable.Range(0, 5).Select(r => policy.NextDelay(r, null).TotalMilliseconds).ToArray();
        }
        Assert.Equal(Delays(3), Delays(3));
        Assert.NotEqual(Delays(3), Delays(4));
    }

    [Fact]
    public void Retry_after_is_obeyed_up_to_its_cap()
    {
        var policy = new RetryPolicy(5, TimeSpan.FromMilliseconds(1), TimeSpan.FromMilliseconds(2), TimeSpan.FromSeconds(30), seed: 1);
        Assert.Equal(TimeSpan.FromSeconds(12), policy.NextDelay(0, TimeSpan.FromSeconds(12)));
        Assert.Equal(TimeSpan.FromSeconds(30), policy.NextDelay(0, TimeSpan.FromMinutes(5)));
    }

    [Fact]
    public void Parses_retry_after_as_seconds_or_date()
    {
        var now = new DateTimeOffset(2026, 1, 1, 12, 0, 0, TimeSpan.Zero);
        Assert.Equal(TimeSpan.FromSeconds(5), TransientHttpException.ParseRetryAfter(RetryConditionHeaderValue.Parse("5"), now));
        Assert.Equal(TimeSpan.FromSeconds(90), TransientHttpException.ParseRetryAfter(RetryConditionHeaderValue.Parse("Thu, 01 Jan 2026 12:01:30 GMT"), now));
        Assert.Equal(TimeSpan.Zero, TransientHttpException.ParseRetryAfter(RetryConditionHeaderValue.Parse("Thu, 01 Jan 2026 11:00:00 GMT"), now));
        Assert.Null(TransientHttpException.ParseRetryAfter(null, now));
    }

    [Theory]
    [InlineData(429, true)]
    [InlineData(500, true)]
    [InlineData(503, true)]
    [InlineData(599, true)]
    [InlineData(400, false)]
    [InlineData(401, false)]
    [InlineData(404, false)]
    public void Classifies_http_statuses(int status, bool transient)
    {
        Assert.Equal(transient, RetryPolicy.IsTransient(new HttpRequestException("x", null, (HttpStatusCode)status), default, out _));
        Assert.Equal(transient, RetryPolicy.IsTransient(OpenAIErrorTranslator.Translate(new ClientResultException("x", new StatusResponse(status))), default, out _));
    }

    [Fact]
    public void Network_errors_and_timeouts_are_transient_but_a_requested_cancellation_is_not()
    {
        Assert.True(RetryPolicy.IsTransient(new HttpRequestException("connection refused"), default, out _));
        Assert.True(RetryPolicy.IsTransient(OpenAIErrorTranslator.Translate(new ClientResultException("no response", response: null, new HttpRequestException("reset"))), default, out _));
        Assert.True(RetryPolicy.IsTransient(new TaskCanceledException("timed out", new TimeoutException()), default, out _));
        Assert.False(RetryPolicy.IsTransient(new InvalidOperationException("bug"), default, out _));
        using var cts = new CancellationTokenSource();
        cts.Cancel();
        Assert.False(RetryPolicy.IsTransient(new TaskCanceledException(), cts.Token, out _));
    }

    [Fact]
    public void Reads_retry_after_from_an_openai_client_error()
    {
        var exception = new ClientResultException("throttled", new StatusResponse(429, ("Retry-After", "3")));
        Assert.True(RetryPolicy.IsTransient(OpenAIErrorTranslator.Translate(exception), default, out TimeSpan? retryAfter));
        Assert.Equal(TimeSpan.FromSeconds(3), retryAfter);
    }

    /// <summary>A bare pipeline response with a status and headers, as the OpenAI SDK would attach to its exception.</summary>
    private sealed class StatusResponse(int status, params (string Name, string Value)[] headers) : PipelineResponse
    {
        private readonly HeaderList _headers = new(headers);
        public override int Status => status;
        public override string ReasonPhrase => "";
        public override Stream? ContentStream { get => null; set { } }
        public override BinaryData Content => BinaryData.FromString("");
        protected override PipelineResponseHeaders HeadersCore => _headers;
        public override BinaryData BufferContent(CancellationToken cancellationToken = default) => Content;
        public override ValueTask<BinaryData> BufferContentAsync(CancellationToken cancellationToken = default) => ValueTask.FromResult(Content);
        public override void Dispose() { }

        private sealed class HeaderList((string Name, string Value)[] values) : PipelineResponseHeaders
        {
            public override bool TryGetValue(string name, out string? value)
            {
                value = values.Where(h => string.Equals(h.Name, name, StringComparison.OrdinalIgnoreCase)).Select(h => h.Value).FirstOrDefault();
                return value is not null;
            }
            public override bool TryGetValues(string name, out IEnumerable<string>? value)
            {
                bool found = TryGetValue(name, out string? one);
                value = found ? [one!] : null;
                return found;
            }
            public override IEnumerator<KeyValuePair<string, string>> GetEnumerator() =>
                values.Select(h => new KeyValuePair<string, string>(h.Name, h.Value)).GetEnumerator();
        }
    }
}
