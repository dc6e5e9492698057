using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using TrialManager.Domain.Participants;
using TrialManager.Domain.Therapy;
using TrialManager.Domain.Trials;

namespace TrialManager.Infrastructure.Persistence.Configurations;

internal sealed class ParticipantConfiguration : IEntityTypeConfiguration<Participant>
{
    public void Configure(EntityTypeBuilder<Participant> builder)
    {
        builder.ToTable("Participants");
        builder.HasKey(p => p.Id);
        builder.Property(p => p.Id).HasMaxLength(64);
        builder.Property(p => p.TrialId).HasMaxLength(40);
        builder.Property(p => p.Site).HasMaxLength(16);
        builder.Property(p => p.Exclusions).HasJsonConversion().HasMaxLength(2_000);
        builder.Property(p => p.ScreeningReasons).HasJsonConversion().HasMaxLength(4_000);
        builder.Property(p => p.WithdrawalReason).HasMaxLength(2_000);
        builder.Property(p => p.ExclusionReason).HasMaxLength(400);
        builder.Property(p => p.TherapistCode).HasMaxLength(40);
        builder.Property(p => p.TreatmentStopNote).HasMaxLength(2_000);
        builder.Property(p => p.IneligibleCriterion).HasMaxLength(200);
        builder.Property(p => p.IneligibleNote).HasMaxLength(2_000);
        // Every change bumps it: an update made from an older read of the participant changes no row and fails.
        builder.Property(p => p.Version).IsConcurrencyToken();
        builder.HasOne<Trial>().WithMany().HasForeignKey(p => p.TrialId).OnDelete(DeleteBehavior.Restrict);
        // The list's keyset order (screening time, id), whole and within a status: a page reads only its own rows.
        builder.HasIndex(p => new { p.TrialId, p.Status, p.ScreenedAt, p.Id });
        builder.HasIndex(p => new { p.TrialId, p.ScreenedAt, p.Id });
        // A site's page in the same keyset order: without it PostgreSQL read a site's every row through (trial, site) and sorted them.
        builder.HasIndex(p => new { p.TrialId, p.Site, p.ScreenedAt, p.Id });
        // The due list reads a site's followed participants by their next-due date: a page reads a page's worth.
        builder.HasIndex(p => new { p.TrialId, p.Site, p.NextDue });

        builder.OwnsMany(p => p.Ratings, rating =>
        {
            rating.ToTable("FormulationRatings");
            rating.WithOwner().HasForeignKey("ParticipantId");
            rating.HasKey("ParticipantId", nameof(FormulationRating.Number));
            rating.Property(r => r.Number).ValueGeneratedNever();
            rating.Property(r => r.Rater).HasMaxLength(40);
            rating.Property(r => r.Rationale).HasMaxLength(4_000);
            rating.Property(r => r.EnteredBy).HasMaxLength(200);
            rating.OwnsOne(r => r.Scores, scores =>
            {
                scores.Property(s => s.Cognitive).HasColumnName("Cognitive");
                scores.Property(s => s.Interpersonal).HasColumnName("Interpersonal");
                scores.Property(s => s.Behavioral).HasColumnName("Behavioral");
                scores.Property(s => s.Environmental).HasColumnName("Environmental");
            });
            rating.Navigation(r => r.Scores).IsRequired();
        });
        builder.Navigation(p => p.Ratings).UsePropertyAccessMode(PropertyAccessMode.Field);

        builder.OwnsMany(p => p.Events, e =>
        {
            e.ToTable("ParticipantEvents");
            e.WithOwner().HasForeignKey("ParticipantId");
            e.HasKey("ParticipantId", nameof(ParticipantEvent.Number));
            e.Property(x => x.Number).ValueGeneratedNever();
            e.Property(x => x.Description).HasMaxLength(4_000);
            // Older rows got their ids in the migration that added the column.
            e.HasIndex(x => x.Id).IsUnique();
            e.Property(x => x.Serious).HasJsonConversion().HasMaxLength(200);
            e.Property(x => x.ReviewedBy).HasMaxLength(200);
            e.Property(x => x.ReviewComment).HasMaxLength(4_000);
        });
        builder.Navigation(p => p.Events).UsePropertyAccessMode(PropertyAccessMode.Field);

        builder.OwnsMany(p => p.Sessions, session =>
        {
            session.ToTable("TherapySessions");
            session.WithOwner().HasForeignKey("ParticipantId");
            session.HasKey("ParticipantId", nameof(TherapySession.Number));
            session.Property(x => x.Number).ValueGeneratedNever();
            session.Property(x => x.Therapist).HasMaxLength(40);
            session.Property(x => x.RecordedBy).HasMaxLength(200);
        });
        builder.Navigation(p => p.Sessions).UsePropertyAccessMode(PropertyAccessMode.Field);
    }
}
