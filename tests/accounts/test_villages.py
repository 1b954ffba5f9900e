"""Registration asks for the village; the county's villages, once an administrator loads them, are offered."""

from sqlalchemy import select

from lms.accounts.models import User
from lms.accounts.villages import village_names
from lms.audit.models import AuditEvent
from lms.extensions import db


def test_the_village_is_optional_and_kept_when_given(client):
    client.post("/register", data={"phone": "13812345678", "display_name": "王芳", "password": "folding-chairs-88",
                                   "confirm": "folding-chairs-88"})
    client.post("/logout")
    client.application.test_client().post(
        "/register", data={"phone": "13912345678", "display_name": "李强", "village": "  北山村 ",
                           "password": "folding-chairs-88", "confirm": "folding-chairs-88"})
    villages = dict(db.session.execute(select(User.display_name, User.village)).all())
    assert villages == {"王芳": "", "李强": "北山村"}


def test_without_a_list_the_village_is_free_text(client):
    html = client.get("/register").get_data(as_text=True)
    assert 'name="village"' in html
    assert "<datalist" not in html


def test_a_loaded_list_is_offered_as_you_type_and_the_load_is_audited(client, runner, tmp_path):
    source = tmp_path / "villages.txt"
    source.write_text("\ufeff北山村\n\n 南坡村 \n北山村\n东河村\n", encoding="utf-8")
    result = runner.invoke(args=["accounts", "villages", str(source)])
    assert result.exit_code == 0, result.output
    assert "3 villages loaded" in result.output
    assert village_names() == ["北山村", "南坡村", "东河村"]
    assert db.session.scalar(select(AuditEvent.details).where(AuditEvent.action == "villages.load")) == {"count": 3}
    html = client.get("/register").get_data(as_text=True)
    assert 'list="village-list"' in html
    options = '<option value="北山村"><option value="南坡村"><option value="东河村">'
    assert f'<datalist id="village-list">{options}</datalist>' in html


def test_loading_replaces_the_list_and_an_empty_file_changes_nothing(runner, tmp_path):
    first, empty = tmp_path / "first.txt", tmp_path / "empty.txt"
    first.write_text("北山村\n南坡村\n", encoding="utf-8")
    empty.write_text("\n  \n", encoding="utf-8")
    runner.invoke(args=["accounts", "villages", str(first)])
    first.write_text("西岭村\n", encoding="utf-8")
    runner.invoke(args=["accounts", "villages", str(first)])
    result = runner.invoke(args=["accounts", "villages", str(empty)])
    assert result.exit_code != 0
    assert "no village names" in result.output
    assert village_names() == ["西岭村"]


def test_every_password_field_has_a_show_hide_button_and_the_hint_states_the_rule(client):
    html = client.get("/register").get_data(as_text=True)
    assert html.count("data-password-toggle=") == 2
    assert "至少 8 个字，一个汉字算一个。" in html  # the rule is 8: a 5-character "short sentence" is refused
    assert "一句短话" not in html
    english = client.get("/register", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "At least 8 characters; a Chinese character counts as one." in english
    assert client.get("/login").get_data(as_text=True).count("data-password-toggle=") == 1
