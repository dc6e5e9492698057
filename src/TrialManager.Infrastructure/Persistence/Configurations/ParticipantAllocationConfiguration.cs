using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using TrialManager.Domain.Participants;

namespace TrialManager.Infrastructure.Persistence.Configurations;

internal sealed class ParticipantAllocationConfiguration : IEntityTypeConfiguration<ParticipantAllocation>
{
    public void Configure(EntityTypeBuilder<ParticipantAllocation> builder)
    {
        builder.ToTable("Allocations");

        // One allocation per participant, and one per sequence slot of a stratum (or of the trial): the database
        // refuses a double allocation or a duplicated slot even if the application got it wrong.
        builder.HasKey(a => a.ParticipantId);
        builder.HasIndex(a => new { a.TrialId, a.StateKey, a.Sequence }).IsUnique();

        builder.Property(a => a.ParticipantId).HasMaxLength(64);
        builder.Property(a => a.TrialId).HasMaxLength(40);
        builder.Property(a => a.Site).HasMaxLength(16);
        builder.Property(a => a.StateKey).HasMaxLength(200);
        builder.Property(a => a.Stratum).HasMaxLength(200);
        builder.Property(a => a.Levels).HasJsonConversion().HasMaxLength(1_000);
        builder.Property(a => a.ImbalanceScores).HasJsonConversion().HasMaxLength(1_000);
        builder.Property(a => a.RandomizedBy).HasMaxLength(100);
        builder.HasOne<Participant>().WithOne().HasForeignKey<ParticipantAllocation>(a => a.ParticipantId).OnDelete(DeleteBehavior.Restrict);
    }
}
