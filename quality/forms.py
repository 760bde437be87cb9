"""The note an operator gives when moving issues along the triage workflow."""
from django import forms


class TransitionNoteForm(forms.Form):
    note = forms.CharField(widget=forms.Textarea(attrs={"rows": 4, "cols": 80}), required=True,
                           help_text="Why: what was checked, what was done. Kept in the issue's notes.")
