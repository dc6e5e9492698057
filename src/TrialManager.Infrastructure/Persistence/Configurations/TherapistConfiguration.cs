using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using TrialManager.Domain.Therapy;
using TrialManager.Domain.Trials;

namespace TrialManager.Infrastructure.Persistence.Configurations;

internal sealed class TherapistConfiguration : IEntityTypeConfiguration<Therapist>
{
    public void Configure(EntityTypeBuilder<Therapist> builder)
    {
        builder.ToTable("Therapists");
        // A code is a key's name: unique within a trial, and the same person may work in several trials.
        builder.HasKey(t => new { t.TrialId, t.Code });
        builder.Property(t => t.TrialId).HasMaxLength(40);
        builder.Property(t => t.Code).HasMaxLength(40);
        builder.Property(t => t.Site).HasMaxLength(16);
        builder.Property(t => t.Arms).HasJsonConversion().HasMaxLength(200);
        builder.HasOne<Trial>().WithMany().HasForeignKey(t => t.TrialId).OnDelete(DeleteBehavior.Restrict);
    }
}
