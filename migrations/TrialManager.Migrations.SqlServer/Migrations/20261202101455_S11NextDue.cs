using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace TrialManager.Migrations.SqlServer.Migrations
{
    /// <inheritdoc />
    public partial class S11NextDue : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<DateOnly>(
                name: "NextDue",
                table: "Participants",
                type: "date",
                nullable: true);

            // The date comes from the schedule rule in C#, which SQL cannot run: every followed participant is marked
            // "not computed yet" (the first day there is, so the due list still reads them), and the server computes
            // their dates before it serves (NextDues.RecomputeAsync at start-up).
            migrationBuilder.Sql("""
                UPDATE [Participants] SET [NextDue] = '0001-01-01' WHERE [Status] IN (N'Randomized', N'FollowUp');
                """);

            migrationBuilder.CreateIndex(
                name: "IX_Participants_TrialId_Site_NextDue",
                table: "Participants",
                columns: new[] { "TrialId", "Site", "NextDue" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_Participants_TrialId_Site_NextDue",
                table: "Participants");

            migrationBuilder.DropColumn(
                name: "NextDue",
                table: "Participants");
        }
    }
}
