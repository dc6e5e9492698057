using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using TrialManager.Domain.Trials;

namespace TrialManager.Infrastructure.Persistence.Configurations;

internal sealed class TrialConfiguration : IEntityTypeConfiguration<Trial>
{
    // Every trial read parses both columns (a page of the trial list a hundred of each); they change only by amendment,
    // which writes new text. About 2 MB of text at most each, a few thousand trials' worth.
    internal static readonly ParsedJsonCache<TrialDefinition> Definitions = new(maxCharacters: 1_000_000);
    internal static readonly ParsedJsonCache<IReadOnlyList<TrialAmendment>> AmendmentLists = new(maxCharacters: 1_000_000);

    public void Configure(EntityTypeBuilder<Trial> builder)
    {
        builder.ToTable("Trials");
        builder.HasKey(t => t.Id);
        builder.Property(t => t.Id).HasMaxLength(40);
        // The base definition keeps its column: amendments never rewrite it; the definition in force is computed.
        builder.Property(t => t.BaseDefinition).HasColumnName("Definition").HasCachedJsonConversion(Definitions).HasMaxLength(20_000);
        builder.Property(t => t.Amendments).HasCachedJsonConversion(AmendmentLists).HasMaxLength(100_000).HasDefaultValue(Array.Empty<TrialAmendment>());
        builder.Ignore(t => t.Definition);
        builder.Property(t => t.Seed).HasMaxLength(200);
        // Rows from before the column existed are version 1 trials; new trials always set their version.
        builder.Property(t => t.SeedDerivation).HasDefaultValue(1);
    }
}
