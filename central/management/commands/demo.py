"""``python -m central demo [--reset] [--json] [--catalogue DIR] [--password PW]``."""

import json
import sys

from django.core.management.base import BaseCommand, CommandError

from central import demo


class Command(BaseCommand):
    help = (
        "Create or update the demo data (agencies, service points, counters, the demo "
        "catalogue, copy statuses, admin users) and print the admin passwords and one "
        "fresh enrolment code per counter. Safe to run again."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--reset",
            action="store_true",
            help="First delete ALL CounterPoint data (ratings, kiosks, catalogue, service "
            "points, agencies, audit log) and the demo users.",
        )
        parser.add_argument(
            "--json", action="store_true", help="Print only a JSON summary on stdout."
        )
        parser.add_argument(
            "--catalogue",
            metavar="DIR",
            help="Directory with services.csv and documents.csv (default: ../shared/catalogue "
            "if present, else the copy in central/demo_data).",
        )
        parser.add_argument(
            "--password",
            help="Password for every demo user (default: a new random one each run).",
        )
        parser.add_argument(
            "--ratings",
            type=int,
            default=0,
            metavar="N",
            help="Also enrol a demo kiosk per counter and add N realistic ratings over the "
            "last 26 weeks (daily/weekly rhythm, some offices worse, some No Copy offices "
            "where citizens still report copies).",
        )

    def handle(self, *args, **options):
        if options["reset"]:
            print("demo: deleting all CounterPoint data", file=sys.stderr)
            demo.reset()
        try:
            summary = demo.seed(options["catalogue"], options["password"])
        except (FileNotFoundError, ValueError) as exc:
            raise CommandError(str(exc)) from exc
        if options["ratings"] < 0:
            raise CommandError("--ratings must be 0 or more")
        if options["ratings"]:
            from central.insights.demo import add_ratings

            summary["demo_ratings"] = add_ratings(options["ratings"])
            from central.comments.demo import add_comments

            summary["demo_comments"] = add_comments()
        if options["json"]:
            self.stdout.write(json.dumps(summary, ensure_ascii=False, indent=2))
            return
        cat = summary["catalogue"]
        self.stdout.write(
            f"Catalogue: {cat['services']} services, {cat['documents']} documents from "
            f"{cat['source']} (steps, times and fees are DEMO values)"
        )
        self.stdout.write("\nAdmin users (passwords are new on every run):")
        for user in summary["users"]:
            who = "central superuser" if user["central"] else f"agency {user['agency']}"
            self.stdout.write(f"  {user['username']:<12} {user['password']:<16} {who}")
        self.stdout.write("\nService points, counters and one-time enrolment codes:")
        for sp in summary["service_points"]:
            self.stdout.write(f"  {sp['id']} {sp['name_en']} ({sp['agency']})")
            for counter in sp["counters"]:
                self.stdout.write(
                    f"    {counter['id']} {counter['enrolment_code']}  {counter['name_en']}"
                )
        if summary.get("demo_ratings"):
            added = summary["demo_ratings"]
            self.stdout.write(
                f"\nDemo ratings: {added['ratings']} added over {added['weeks']} weeks "
                f"({added['kiosks']} demo kiosks)."
            )
        if summary.get("demo_comments"):
            self.stdout.write(f"Demo comments: {summary['demo_comments']['comments']} added.")
        expires = summary["service_points"][0]["counters"][0]["enrolment_code_expires_at"]
        self.stdout.write(f"\nEnrolment codes expire at {expires}.")
