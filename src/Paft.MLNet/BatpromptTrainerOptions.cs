using Microsoft.Extensions.AI;
using Paft.MLNet.Selection;

namespace Paft.MLNet;

/// <summary>Options of <see cref="BatpromptTrainer"/>: the selection data and pool, the noise and rounds, and an optional chat model.</summary>
public sealed class BatpromptTrainerOptions : TemplateSelectionTrainerOptions
{
    /// <summary>Noise, criterion and rounds; null uses <see cref="BatpromptOptions"/>' defaults with the trainer's <see cref="PaftTrainerOptions.Seed"/>.</summary>
    public BatpromptOptions? Selection { get; set; }

    /// <summary>
    /// Writes improved templates in rounds (and rewrites inputs when <see cref="BatpromptOptions.ChatRewrite"/> is set);
    /// null selects from the pool only. Only <c>Fit</c> sends it requests.
    /// </summary>
    public IChatClient? ChatClient { get; set; }

    internal BatpromptOptions SelectionOrDefault => Selection ?? new BatpromptOptions { Seed = Trainer.Seed };

    internal override void Validate()
    {
        base.Validate();
        BatpromptOptions settings = SelectionOrDefault;
        settings.Validate();
        if (settings.ChatRewrite is not null && ChatClient is null)
            throw new ArgumentException($"{nameof(BatpromptOptions)}.{nameof(BatpromptOptions.ChatRewrite)} needs a chat client " +
                $"({nameof(BatpromptTrainerOptions)}.{nameof(ChatClient)}).", nameof(ChatClient));
    }
}
