using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using TrialManager.Domain.Trials;

namespace TrialManager.Infrastructure.Persistence.Configurations;

internal sealed class TrialConfiguration : IEntityTypeConfiguration<Trial>
{
    public void Configure(EntityTypeBuilder<Trial> builder)
    {
        builder.ToTable("Trials");
        builder.HasKey(t => t.Id);
        builder.Property(t => t.Id).HasMaxLength(40);
        // The base definition keeps its column: amendments never rewrite it; the definition in force is computed.
        builder.Property(t => t.BaseDefinition).HasColumnName("Definition").HasJsonConversion().HasMaxLength(20_000);
        builder.Property(t => t.Amendments).HasJsonConversion().HasMaxLength(100_000).HasDefaultValue(Array.Empty<TrialAmendment>());
        builder.Ignore(t => t.Definition);
        builder.Property(t => t.Seed).HasMaxLength(200);
        // Rows from before the column existed are version 1 trials; new trials always set their version.
        builder.Property(t => t.SeedDerivation).HasDefaultValue(1);
    }
}
