"""Documents: forms and crispy layouts; no database writes.

The file fields do no checking of their own beyond "was a file chosen": every check of a file
(size, virus, content) is the service's, so that each refusal names its file.
"""

from django import forms
from django.conf import settings

from ctr_portal import limits
from ctr_portal.nhsuk import Field, Layout, NHSUKFormMixin, Submit, text_area

from .models import ItemStatus

REASON = "Reason"  # how a reason over its limit is named in the message


class MultipleFileInput(forms.FileInput):
    allow_multiple_selected = True


class FilesField(forms.Field):
    """One or more files, as a list; refused files are reported by the service, by name."""

    widget = MultipleFileInput

    def clean(self, value):
        files = [f for f in (value or []) if f]
        if self.required and not files:
            raise forms.ValidationError(self.error_messages["required"], code="required")
        return files


class OneFileField(forms.Field):
    widget = forms.FileInput

    def clean(self, value):
        if not value:
            raise forms.ValidationError(self.error_messages["required"], code="required")
        return value


def _upload_hint(many=True) -> str:
    from .services import size_limit_words

    limit = size_limit_words()
    text = f"PDF, DOCX, XLSX, ODT, JPG or PNG, smaller than {limit} each."
    if many:
        text += f" Up to {settings.DOCUMENTS_MAX_FILES_PER_UPLOAD} files at a time."
    return text + " The panel can read PDFs and pictures in the browser: upload a PDF if you can."


class UploadForm(NHSUKFormMixin, forms.Form):
    submit_label = "Upload files"

    files = FilesField(
        label="Choose files to upload",
        error_messages={"required": "Select a file to upload"},
    )

    def __init__(self, *args, page_heading=False, **kwargs):
        self.page_heading = page_heading
        super().__init__(*args, **kwargs)
        self.fields["files"].help_text = _upload_hint()
        self.fields["files"].widget.attrs["id"] = "files"
        self.helper.attrs["data-app-upload"] = ""
        self.helper.form_class = "app-upload-form"

    def get_layout(self):
        return Layout(
            Field(
                "files",
                label_size="l" if self.page_heading else "m",
                label_is_page_heading=self.page_heading,
            ),
            Submit("submit", self.submit_label),
        )


class ReplaceForm(NHSUKFormMixin, forms.Form):
    submit_label = "Upload the new version"

    file = OneFileField(
        label="Choose the new version", error_messages={"required": "Select a file to upload"}
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["file"].help_text = _upload_hint(many=False)


class SettleForm(NHSUKFormMixin, forms.Form):
    submit_label = "Save"

    status = forms.ChoiceField(
        label="Why is there no document for this item?",
        widget=forms.RadioSelect,
        choices=[
            (ItemStatus.NOT_APPLICABLE, "It does not apply to this review"),
            (ItemStatus.NOT_HELD, "It is not held"),
        ],
        error_messages={"required": "Select whether the item is not applicable or not held"},
    )
    not_applicable_reason = text_area("Why does it not apply?", limits.FILE_REASON, subject=REASON)
    not_held_reason = text_area(
        "Why is it not held?",
        limits.FILE_REASON,
        help_text='For example, "No tribunal yet".',
        subject=REASON,
    )

    def get_layout(self):
        return Layout(
            Field(
                "status",
                legend_size="m",
                conditional={
                    ItemStatus.NOT_APPLICABLE: Field("not_applicable_reason", rows=3),
                    ItemStatus.NOT_HELD: Field("not_held_reason", rows=3),
                },
            ),
            Submit("submit", self.submit_label),
        )

    def clean(self):
        data = super().clean()
        status = data.get("status")
        na_reason = data.get("not_applicable_reason", "").strip()
        if status == ItemStatus.NOT_APPLICABLE and not na_reason:
            self.add_error("not_applicable_reason", "Enter why this item does not apply")
        if status == ItemStatus.NOT_HELD and not data.get("not_held_reason", "").strip():
            self.add_error("not_held_reason", "Enter why this item is not held")
        return data

    @property
    def reason(self) -> str:
        if self.cleaned_data.get("status") == ItemStatus.NOT_APPLICABLE:
            return self.cleaned_data.get("not_applicable_reason", "")
        return self.cleaned_data.get("not_held_reason", "")


class DeleteForm(NHSUKFormMixin, forms.Form):
    submit_label = "Delete the file"

    reason = text_area(
        "Why are you deleting this file?",
        limits.FILE_REASON,
        help_text="For example, it was uploaded to the wrong item. The file is removed; "
        "who deleted it, when and why stay in the history.",
        required="Enter why you are deleting this file",
        subject=REASON,
    )

    def get_layout(self):
        return Layout(
            Field("reason", rows=3, label_size="m"),
            Submit("submit", self.submit_label, warning=True),
        )


class AssignForm(NHSUKFormMixin, forms.Form):
    submit_label = "Save"

    assignee = forms.TypedChoiceField(
        label="Who should provide it?", required=False, coerce=int, empty_value=None
    )

    def __init__(self, *args, people=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.people = {m.user_id: m.user for m in people}
        self.fields["assignee"].choices = [("", "Nobody named")] + [
            (m.user_id, f"{m.user.display_name}, {m.job_title}") for m in people
        ]

    def get_layout(self):
        return Layout(Field("assignee", label_size="m"), Submit("submit", self.submit_label))

    @property
    def assignee_user(self):
        return self.people.get(self.cleaned_data.get("assignee"))
