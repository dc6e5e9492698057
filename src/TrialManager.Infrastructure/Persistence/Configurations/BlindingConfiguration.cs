using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using TrialManager.Domain.Blinding;
using TrialManager.Domain.Participants;

namespace TrialManager.Infrastructure.Persistence.Configurations;

internal sealed class UnblindingConfiguration : IEntityTypeConfiguration<Unblinding>
{
    public void Configure(EntityTypeBuilder<Unblinding> builder)
    {
        builder.ToTable("Unblindings");
        builder.HasKey(u => u.Id);
        builder.Property(u => u.Id).ValueGeneratedNever();
        builder.Property(u => u.TrialId).HasMaxLength(40);
        builder.Property(u => u.ParticipantId).HasMaxLength(64);
        builder.Property(u => u.UnblindedBy).HasMaxLength(100);
        builder.Property(u => u.Role).HasMaxLength(32);
        builder.Property(u => u.Reason).HasMaxLength(Unblinding.MaxReasonLength);
        builder.HasOne<Participant>().WithMany().HasForeignKey(u => u.ParticipantId).OnDelete(DeleteBehavior.Restrict);
        builder.HasIndex(u => new { u.TrialId, u.UnblindedAt });
        builder.HasIndex(u => new { u.ParticipantId, u.UnblindedBy });
    }
}

internal sealed class BlindingGuessConfiguration : IEntityTypeConfiguration<BlindingGuess>
{
    public void Configure(EntityTypeBuilder<BlindingGuess> builder)
    {
        // One guess per participant and assessor, backed by the key.
        builder.ToTable("BlindingGuesses");
        builder.HasKey(g => new { g.ParticipantId, g.Assessor });
        builder.Property(g => g.TrialId).HasMaxLength(40);
        builder.Property(g => g.ParticipantId).HasMaxLength(64);
        builder.Property(g => g.Assessor).HasMaxLength(100);
        builder.HasOne<Participant>().WithMany().HasForeignKey(g => g.ParticipantId).OnDelete(DeleteBehavior.Restrict);
        builder.HasIndex(g => g.TrialId);
    }
}
