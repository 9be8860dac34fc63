using Paft.Llama.Training;

namespace Paft.Llama.Tests.Training;

public class WarmupCosineScheduleTests
{
    // peak 1e-3, 10 warmup steps, 110 total: the cosine runs over the 100 steps after warmup.
    [Theory]
    [InlineData(0, 0.0)]
    [InlineData(1, 1e-4)]
    [InlineData(5, 5e-4)]
    [InlineData(10, 1e-3)]             // cos(0) = 1
    [InlineData(35, 8.5355339059e-4)]  // ½(1 + cos(π/4)) = 0.853553...
    [InlineData(60, 5e-4)]             // ½(1 + cos(π/2))
    [InlineData(85, 1.4644660941e-4)]  // ½(1 + cos(3π/4)) = 0.146446...
    [InlineData(110, 0.0)]             // cos(π) = -1
    public void MatchesClosedFormWarmupThenCosine(int step, double expected)
    {
        var schedule = new WarmupCosineSchedule(1e-3, 10, 110);
        Assert.Equal(expected, schedule.LearningRateAt(step), 12);
    }

    [Fact]
    public void WithoutWarmupTheFirstStepUsesThePeak()
    {
        var schedule = new WarmupCosineSchedule(2e-4, 0, 4);
        Assert.Equal(2e-4, schedule.LearningRateAt(0), 15);
        Assert.Equal(1e-4, schedule.LearningRateAt(2), 15);
    }

    [Theory]
    [InlineData(0.1, 95, 10)] // 9.5 rounds up
    [InlineData(0.1, 100, 10)]
    [InlineData(0.0, 100, 0)]
    public void WarmupRatioRoundsUp(double ratio, int total, int expected)
    {
        Assert.Equal(expected, WarmupCosineSchedule.WarmupStepsFromRatio(ratio, total));
    }
}
