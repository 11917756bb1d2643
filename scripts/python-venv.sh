# Sourced by scripts that run pinned Python tools: `python_venv PINS VENV` installs the requirements file
# PINS from PyPI into the virtual environment VENV (under .tools/, ignored by git), the first time and
# whenever the pins change, so that every tool comes from the repo's own files.
python_venv() {
    local pins="$1" venv="$2"
    if ! cmp -s "$pins" "$venv/requirements.txt"; then
        echo "Installing the pinned $(basename "$(dirname "$pins")") into $venv..."
        rm -rf "$venv"
        python3 -m venv "$venv"
        "$venv/bin/python" -m pip install --quiet --disable-pip-version-check -r "$pins"
        cp "$pins" "$venv/requirements.txt"
    fi
}
