"""The front page and the public page on how kx rates what works."""

from flask import Blueprint, render_template

from kx.evidence import ratings

home = Blueprint("home", __name__)


@home.route("/")
def index():
    return render_template("home.html")


@home.route("/methods")
def methods():
    return render_template("methods.html", strength=ratings.STRENGTH)
