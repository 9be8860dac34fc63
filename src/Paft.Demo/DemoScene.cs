using System.Text;

namespace Paft.Demo;

/// <summary>
/// One story of the demo world: a few facts "who put which object in which container", every object and
/// every container colour and kind distinct within the story, so each object has exactly one answer and
/// no container can be named by half its words.
/// </summary>
internal sealed class DemoScene
{
    private DemoScene(IReadOnlyList<DemoFact> facts) => Facts = facts;

    /// <summary>The facts, in the order the story tells them.</summary>
    public IReadOnlyList<DemoFact> Facts { get; }

    /// <summary>Draws a story of <paramref name="factCount"/> facts from <paramref name="random"/>.</summary>
    public static DemoScene Draw(Random random, int factCount)
    {
        if (factCount < 1 || factCount > DemoWorld.Colors.Length || factCount > DemoWorld.Containers.Length)
            throw new ArgumentOutOfRangeException(nameof(factCount), factCount,
                $"A story holds 1..{Math.Min(DemoWorld.Colors.Length, DemoWorld.Containers.Length)} facts.");
        int[] names = Pick(random, DemoWorld.Names.Length, factCount);
        int[] objects = Pick(random, DemoWorld.Objects.Length, factCount);
        int[] colors = Pick(random, DemoWorld.Colors.Length, factCount);
        int[] kinds = Pick(random, DemoWorld.Containers.Length, factCount);
        var facts = new DemoFact[factCount];
        for (int i = 0; i < factCount; i++)
        {
            facts[i] = new DemoFact(
                DemoWorld.Names[names[i]],
                DemoWorld.Verbs[random.Next(DemoWorld.Verbs.Length)],
                DemoWorld.Objects[objects[i]],
                $"{DemoWorld.Colors[colors[i]]} {DemoWorld.Containers[kinds[i]]}");
        }
        return new DemoScene(facts);
    }

    /// <summary>The story as text: one sentence per fact.</summary>
    public string Context()
    {
        var text = new StringBuilder();
        foreach (DemoFact fact in Facts)
        {
            if (text.Length > 0)
                text.Append(' ');
            text.Append(fact.Sentence);
        }
        return text.ToString();
    }

    /// <summary>k distinct indices of 0..n-1 in random order (a partial Fisher–Yates shuffle).</summary>
    internal static int[] Pick(Random random, int n, int k)
    {
        int[] all = Enumerable.Range(0, n).ToArray();
        for (int i = 0; i < k; i++)
        {
            int j = random.Next(i, n);
            (all[i], all[j]) = (all[j], all[i]);
        }
        return all[..k];
    }
}

/// <summary>"{Name} {verb} the {object} in the {container}."</summary>
internal sealed record DemoFact(string Name, string Verb, string Object, string Container)
{
    public string Sentence => $"{Name} {Verb} the {Object} in the {Container}.";

    public string Question => $"Where is the {Object}?";

    /// <summary>The answer in plain words, as the pretraining corpus gives it.</summary>
    public string PlainAnswer => $"The {Object} is in the {Container}.";

    /// <summary>The container as an answer option.</summary>
    public string Option => $"the {Container}";
}
