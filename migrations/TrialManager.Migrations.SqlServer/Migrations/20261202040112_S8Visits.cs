using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace TrialManager.Migrations.SqlServer.Migrations
{
    /// <inheritdoc />
    public partial class S8Visits : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_Measures_ParticipantId_Instrument_Session",
                table: "Measures");

            migrationBuilder.AlterColumn<int>(
                name: "Session",
                table: "Measures",
                type: "int",
                nullable: true,
                oldClrType: typeof(int),
                oldType: "int");

            migrationBuilder.AddColumn<string>(
                name: "Visit",
                table: "Measures",
                type: "nvarchar(40)",
                maxLength: 40,
                nullable: true);

            migrationBuilder.CreateIndex(
                name: "IX_Measures_ParticipantId_Instrument_Session",
                table: "Measures",
                columns: new[] { "ParticipantId", "Instrument", "Session" },
                unique: true,
                filter: "[Session] IS NOT NULL");

            migrationBuilder.CreateIndex(
                name: "IX_Measures_ParticipantId_Instrument_Visit",
                table: "Measures",
                columns: new[] { "ParticipantId", "Instrument", "Visit" },
                unique: true,
                filter: "[Visit] IS NOT NULL");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_Measures_ParticipantId_Instrument_Session",
                table: "Measures");

            migrationBuilder.DropIndex(
                name: "IX_Measures_ParticipantId_Instrument_Visit",
                table: "Measures");

            migrationBuilder.DropColumn(
                name: "Visit",
                table: "Measures");

            migrationBuilder.AlterColumn<int>(
                name: "Session",
                table: "Measures",
                type: "int",
                nullable: false,
                defaultValue: 0,
                oldClrType: typeof(int),
                oldType: "int",
                oldNullable: true);

            migrationBuilder.CreateIndex(
                name: "IX_Measures_ParticipantId_Instrument_Session",
                table: "Measures",
                columns: new[] { "ParticipantId", "Instrument", "Session" },
                unique: true);
        }
    }
}
