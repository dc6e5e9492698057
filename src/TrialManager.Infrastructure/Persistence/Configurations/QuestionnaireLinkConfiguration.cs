using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using TrialManager.Domain.Measures;
using TrialManager.Domain.Participants;

namespace TrialManager.Infrastructure.Persistence.Configurations;

internal sealed class QuestionnaireLinkConfiguration : IEntityTypeConfiguration<QuestionnaireLink>
{
    public void Configure(EntityTypeBuilder<QuestionnaireLink> builder)
    {
        builder.ToTable("QuestionnaireLinks");
        builder.HasKey(l => l.Id);
        builder.Property(l => l.Id).ValueGeneratedNever();
        builder.Property(l => l.TokenHash).HasMaxLength(64);
        builder.Property(l => l.TrialId).HasMaxLength(40);
        builder.Property(l => l.ParticipantId).HasMaxLength(64);
        builder.Property(l => l.Instrument).HasMaxLength(40);
        builder.Property(l => l.Visit).HasMaxLength(40);
        builder.HasOne<Participant>().WithMany().HasForeignKey(l => l.ParticipantId).OnDelete(DeleteBehavior.Restrict);
        builder.HasOne<Measure>().WithMany().HasForeignKey(l => l.MeasureId).OnDelete(DeleteBehavior.Restrict);
        // The page finds a link by its token's hash alone.
        builder.HasIndex(l => l.TokenHash).IsUnique();
        builder.HasIndex(l => l.ParticipantId);
    }
}
