"""The survey-wave layer every instrument sits on: waves, invitations, reminders, progress."""
