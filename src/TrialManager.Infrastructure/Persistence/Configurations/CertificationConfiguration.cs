using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using TrialManager.Domain.Participants;
using TrialManager.Domain.Trials;

namespace TrialManager.Infrastructure.Persistence.Configurations;

internal sealed class ReferenceCaseConfiguration : IEntityTypeConfiguration<ReferenceCase>
{
    public void Configure(EntityTypeBuilder<ReferenceCase> builder)
    {
        builder.ToTable("ReferenceCases");
        // Key columns keep the default length: the owned scores share them and cannot be given another.
        builder.HasKey(c => new { c.TrialId, c.Code });
        builder.Property(c => c.Material).HasMaxLength(8_000);
        builder.OwnsOne(c => c.Scores, ScoreColumns.Map);
        builder.Navigation(c => c.Scores).IsRequired();
        builder.HasOne<Trial>().WithMany().HasForeignKey(c => c.TrialId).OnDelete(DeleteBehavior.Restrict);
    }
}

internal sealed class PracticeRatingConfiguration : IEntityTypeConfiguration<PracticeRating>
{
    public void Configure(EntityTypeBuilder<PracticeRating> builder)
    {
        builder.ToTable("PracticeRatings");
        // One practice rating per rater and case: the first counts, a retry cannot replace it.
        builder.HasKey(r => new { r.TrialId, r.CaseCode, r.Rater });
        builder.OwnsOne(r => r.Scores, ScoreColumns.Map);
        builder.Navigation(r => r.Scores).IsRequired();
        builder.HasOne<ReferenceCase>().WithMany().HasForeignKey(r => new { r.TrialId, r.CaseCode }).OnDelete(DeleteBehavior.Restrict);
        builder.HasIndex(r => new { r.TrialId, r.Rater });
    }
}

internal static class ScoreColumns
{
    public static void Map<TOwner>(OwnedNavigationBuilder<TOwner, FormulationScores> scores)
        where TOwner : class
    {
        scores.Property(s => s.Cognitive).HasColumnName("Cognitive");
        scores.Property(s => s.Interpersonal).HasColumnName("Interpersonal");
        scores.Property(s => s.Behavioral).HasColumnName("Behavioral");
        scores.Property(s => s.Environmental).HasColumnName("Environmental");
    }
}
