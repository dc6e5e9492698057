using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace TrialManager.Migrations.Sqlite.Migrations
{
    /// <inheritdoc />
    public partial class S7TherapistsSessions : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(
                name: "TherapistCode",
                table: "Participants",
                type: "TEXT",
                maxLength: 40,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "TreatmentStopCategory",
                table: "Participants",
                type: "TEXT",
                maxLength: 32,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "TreatmentStopNote",
                table: "Participants",
                type: "TEXT",
                maxLength: 2000,
                nullable: true);

            migrationBuilder.AddColumn<DateTimeOffset>(
                name: "TreatmentStoppedAt",
                table: "Participants",
                type: "TEXT",
                nullable: true);

            migrationBuilder.CreateTable(
                name: "Therapists",
                columns: table => new
                {
                    TrialId = table.Column<string>(type: "TEXT", maxLength: 40, nullable: false),
                    Code = table.Column<string>(type: "TEXT", maxLength: 40, nullable: false),
                    Site = table.Column<string>(type: "TEXT", maxLength: 16, nullable: false),
                    Arms = table.Column<string>(type: "TEXT", maxLength: 200, nullable: false),
                    RegisteredAt = table.Column<DateTimeOffset>(type: "TEXT", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_Therapists", x => new { x.TrialId, x.Code });
                    table.ForeignKey(
                        name: "FK_Therapists_Trials_TrialId",
                        column: x => x.TrialId,
                        principalTable: "Trials",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Restrict);
                });

            migrationBuilder.CreateTable(
                name: "TherapySessions",
                columns: table => new
                {
                    Number = table.Column<int>(type: "INTEGER", nullable: false),
                    ParticipantId = table.Column<string>(type: "TEXT", maxLength: 200, nullable: false),
                    Date = table.Column<DateOnly>(type: "TEXT", nullable: false),
                    Attendance = table.Column<string>(type: "TEXT", maxLength: 32, nullable: false),
                    Therapist = table.Column<string>(type: "TEXT", maxLength: 40, nullable: false),
                    RecordedBy = table.Column<string>(type: "TEXT", maxLength: 200, nullable: false),
                    RecordedAt = table.Column<DateTimeOffset>(type: "TEXT", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_TherapySessions", x => new { x.ParticipantId, x.Number });
                    table.ForeignKey(
                        name: "FK_TherapySessions_Participants_ParticipantId",
                        column: x => x.ParticipantId,
                        principalTable: "Participants",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "Therapists");

            migrationBuilder.DropTable(
                name: "TherapySessions");

            migrationBuilder.DropColumn(
                name: "TherapistCode",
                table: "Participants");

            migrationBuilder.DropColumn(
                name: "TreatmentStopCategory",
                table: "Participants");

            migrationBuilder.DropColumn(
                name: "TreatmentStopNote",
                table: "Participants");

            migrationBuilder.DropColumn(
                name: "TreatmentStoppedAt",
                table: "Participants");
        }
    }
}
